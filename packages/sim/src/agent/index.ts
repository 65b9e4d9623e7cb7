// The member's stand-in for KubeBlocks' kbagent: role probes and lifecycle actions in pods' containers. See README.md.

export type { ContainerLookup, ContainerProcesses } from "./pod-containers.ts";
export { AGENT_COMPONENT, ReplicaAgent, type ReplicaAgentOptions } from "./replica-agent.ts";
