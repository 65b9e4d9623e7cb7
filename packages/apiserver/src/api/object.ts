export * from "@atoll/kube/object";
