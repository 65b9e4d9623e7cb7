export * from "@atoll/kube/key-queue";
