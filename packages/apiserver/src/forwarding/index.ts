export { type AgentLease, AgentPool } from "./agent-pool.ts";
export {
  CLUSTERS_PATH_PREFIX,
  type ForwardPath,
  MEMBER_CLUSTERS_PATH_PREFIX,
  parseForwardPath,
} from "./forward-path.ts";
export { ForwardingProxy, type ForwardingProxyOptions, type RequestForwarder } from "./forwarding-proxy.ts";
export type { ForwardingResolver, ForwardTarget } from "./forwarding-resolver.ts";
