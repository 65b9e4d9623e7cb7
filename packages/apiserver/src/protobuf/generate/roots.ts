/**
 * The kinds whose protobuf bodies Atoll decodes, by apiVersion, with the proto
 * package that holds them. Everything reachable from these messages goes in
 * the table. The list covers what kubectl's typed clients send (create, run,
 * expose, create token, drain's Eviction, auth can-i/whoami, certificate
 * approve, autoscale) and the objects controllers write.
 */
export const rootKinds: ReadonlyArray<{
  apiVersion: string;
  protoPackage: string;
  kinds: readonly string[];
}> = [
  {
    apiVersion: "v1",
    protoPackage: "k8s.io.api.core.v1",
    kinds: [
      "Binding",
      "ConfigMap",
      "Endpoints",
      "Event",
      "LimitRange",
      "Namespace",
      "Node",
      "PersistentVolume",
      "PersistentVolumeClaim",
      "Pod",
      "PodTemplate",
      "ReplicationController",
      "ResourceQuota",
      "Secret",
      "Service",
      "ServiceAccount",
    ],
  },
  {
    apiVersion: "apps/v1",
    protoPackage: "k8s.io.api.apps.v1",
    kinds: ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
  },
  { apiVersion: "batch/v1", protoPackage: "k8s.io.api.batch.v1", kinds: ["CronJob", "Job"] },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    protoPackage: "k8s.io.api.rbac.v1",
    kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
  },
  {
    apiVersion: "policy/v1",
    protoPackage: "k8s.io.api.policy.v1",
    kinds: ["Eviction", "PodDisruptionBudget"],
  },
  { apiVersion: "scheduling.k8s.io/v1", protoPackage: "k8s.io.api.scheduling.v1", kinds: ["PriorityClass"] },
  {
    apiVersion: "networking.k8s.io/v1",
    protoPackage: "k8s.io.api.networking.v1",
    kinds: ["Ingress", "IngressClass", "NetworkPolicy"],
  },
  { apiVersion: "coordination.k8s.io/v1", protoPackage: "k8s.io.api.coordination.v1", kinds: ["Lease"] },
  { apiVersion: "discovery.k8s.io/v1", protoPackage: "k8s.io.api.discovery.v1", kinds: ["EndpointSlice"] },
  { apiVersion: "events.k8s.io/v1", protoPackage: "k8s.io.api.events.v1", kinds: ["Event"] },
  {
    apiVersion: "autoscaling/v1",
    protoPackage: "k8s.io.api.autoscaling.v1",
    kinds: ["HorizontalPodAutoscaler", "Scale"],
  },
  {
    apiVersion: "autoscaling/v2",
    protoPackage: "k8s.io.api.autoscaling.v2",
    kinds: ["HorizontalPodAutoscaler"],
  },
  {
    apiVersion: "authentication.k8s.io/v1",
    protoPackage: "k8s.io.api.authentication.v1",
    kinds: ["SelfSubjectReview", "TokenRequest", "TokenReview"],
  },
  {
    apiVersion: "authorization.k8s.io/v1",
    protoPackage: "k8s.io.api.authorization.v1",
    kinds: [
      "LocalSubjectAccessReview",
      "SelfSubjectAccessReview",
      "SelfSubjectRulesReview",
      "SubjectAccessReview",
    ],
  },
  {
    apiVersion: "certificates.k8s.io/v1",
    protoPackage: "k8s.io.api.certificates.v1",
    kinds: ["CertificateSigningRequest"],
  },
  {
    apiVersion: "meta.k8s.io/v1",
    protoPackage: "k8s.io.apimachinery.pkg.apis.meta.v1",
    kinds: ["DeleteOptions"],
  },
];
