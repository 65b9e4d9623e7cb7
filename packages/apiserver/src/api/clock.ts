export * from "@atoll/kube/clock";
