export {
  type HubControllers,
  type HubControllersOptions,
  type KubeBlocksMembers,
  startHubControllers,
} from "./hub-controllers.ts";
export { InstanceController, type InstanceControllerOptions } from "./instances/index.ts";
export { McsController, type McsControllerOptions } from "./mcs/mcs-controller.ts";
export { type Connector, JoinError, JoinFailure, type MemberConnection } from "./members/connection.ts";
export { memberForwardingResolver } from "./members/forwarding.ts";
export { DEFAULT_HEALTH, type HealthSettings } from "./members/health.ts";
export { httpConnector } from "./members/http-connector.ts";
export { explain, type PlacementExplanation } from "./scheduler/index.ts";
export { scheduleInputOf } from "./scheduling/index.ts";
