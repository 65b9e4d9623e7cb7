/** The Multi-Cluster Services API (multicluster.x-k8s.io/v1alpha1): types, CRDs and well-known names. */
export { mcsCrds, serviceExportCrd, serviceImportCrd } from "./mcs-crds.ts";
export * from "./mcs-names.ts";
export * from "./service-export.ts";
export * from "./service-import.ts";
