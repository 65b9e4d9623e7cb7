export * from "@atoll/kube/errors";
