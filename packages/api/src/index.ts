export * from "./cluster/member-cluster.ts";
export { memberClusterCrd } from "./cluster/member-cluster-crd.ts";
export * from "./well-known.ts";
