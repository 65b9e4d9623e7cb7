/** Labels, annotations and names the service machinery reads and writes, defined once. */

/** On every EndpointSlice: the Service it belongs to. */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
/** On every EndpointSlice: the controller that manages it. */
export const LABEL_SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
/** The EndpointSlice controller's value of {@link LABEL_SLICE_MANAGED_BY}. */
export const ENDPOINTSLICE_CONTROLLER = "endpointslice-controller.k8s.io";
/** The EndpointSlice mirroring controller's value of {@link LABEL_SLICE_MANAGED_BY}. */
export const ENDPOINTSLICE_MIRRORING_CONTROLLER = "endpointslicemirroring-controller.k8s.io";
/** On Endpoints the endpoints controller writes (Kubernetes 1.33+). */
export const LABEL_ENDPOINTS_MANAGED_BY = "endpoints.kubernetes.io/managed-by";
/** The endpoints controller's value of {@link LABEL_ENDPOINTS_MANAGED_BY}. */
export const ENDPOINTS_CONTROLLER = "endpoint-controller";
/** On Endpoints and EndpointSlices of a Service without a cluster IP. */
export const LABEL_HEADLESS = "service.kubernetes.io/headless";
/** On user Endpoints: "true" keeps the mirroring controller away. */
export const LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";

/** MetalLB: comma-separated load-balancer IPs a Service asks for. */
export const ANNOTATION_METALLB_IPS = "metallb.universe.tf/loadBalancerIPs";
/** Cilium ClusterMesh: "true" makes a Service global (endpoints of every meshed member). */
export const ANNOTATION_GLOBAL_SERVICE = "service.cilium.io/global";

/** The clusterIP of a headless Service. */
export const CLUSTER_IP_NONE = "None";
/** The node port range of a default kube-apiserver (`--service-node-port-range`). */
export const DEFAULT_NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];
/** How many endpoints one EndpointSlice holds (`--max-endpoints-per-slice` default). */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** ClientIP session affinity lasts this long unless the Service says otherwise (three hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
