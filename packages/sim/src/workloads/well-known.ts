/**
 * The labels, annotations, finalizers and field managers the workload
 * controllers read and write, spelled once, as Kubernetes spells them.
 */
export const WorkloadLabels = {
  /** On a Deployment's ReplicaSets and their pods: the hash of the pod template. */
  podTemplateHash: "pod-template-hash",
  /** On StatefulSet and DaemonSet pods: the revision they were created from. */
  controllerRevisionHash: "controller-revision-hash",
  /** On DaemonSet pods: the DaemonSet's generation when they were created (deprecated, still set). */
  podTemplateGeneration: "pod-template-generation",
  statefulSetPodName: "statefulset.kubernetes.io/pod-name",
  podIndex: "apps.kubernetes.io/pod-index",
  jobControllerUid: "batch.kubernetes.io/controller-uid",
  jobName: "batch.kubernetes.io/job-name",
  legacyJobControllerUid: "controller-uid",
  legacyJobName: "job-name",
  jobCompletionIndex: "batch.kubernetes.io/job-completion-index",
} as const;

/** Annotations the workload controllers read and write. */
export const WorkloadAnnotations = {
  revision: "deployment.kubernetes.io/revision",
  desiredReplicas: "deployment.kubernetes.io/desired-replicas",
  maxReplicas: "deployment.kubernetes.io/max-replicas",
  revisionHistory: "deployment.kubernetes.io/revision-history",
  jobCompletionIndex: "batch.kubernetes.io/job-completion-index",
  lastAppliedConfiguration: "kubectl.kubernetes.io/last-applied-configuration",
} as const;

/** Keeps a Job's finished pods around until the Job controller has counted them. */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

/** The field managers (and controller names) the workload controllers write as, as kube-controller-manager's. */
export const WorkloadControllerNames = {
  replicaSet: "replicaset-controller",
  deployment: "deployment-controller",
  statefulSet: "statefulset-controller",
  daemonSet: "daemonset-controller",
  job: "job-controller",
} as const;
