/** Pod annotations the replica agent in each member reads (the embedded fleet's sim plays the agent). */
export const AgentAnnotations = {
  roleProbe: "agent.atoll.io/role-probe",
  actionRequest: "agent.atoll.io/action-request",
  actionResult: "agent.atoll.io/action-result",
} as const;
