/** Services for a simulated member: allocation, endpoints, EndpointSlices and a userspace proxy. */
export * from "./address-plan.ts";
export { type Backend, type EndpointSource, LocalEndpointSource } from "./endpoint-source.ts";
export { EndpointsController, type EndpointsControllerOptions } from "./endpoints-controller.ts";
export { EndpointSliceController, type EndpointSliceControllerOptions } from "./endpointslice-controller.ts";
export { EndpointSliceMirroring, type EndpointSliceMirroringOptions } from "./endpointslice-mirroring.ts";
export {
  createNetworking,
  type NetworkInformers,
  type Networking,
  type NetworkingOptions,
} from "./networking.ts";
export type { EndpointSlice, Endpoints, Pod, Service, ServicePort, ServiceSpec } from "./objects.ts";
export { ServiceProxy, type ServiceProxyOptions } from "./proxy.ts";
export { ServiceAllocator, type ServiceAllocatorOptions } from "./service-allocator.ts";
export * from "./well-known.ts";
