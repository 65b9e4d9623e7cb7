export { type AdminAddress, type FaultState, MemberHost } from "./faults/member-host.ts";
export { type KubeconfigContext, kubeconfigDocument } from "./kubeconfig.ts";
export { type MemberContext, type MemberOptions, SimMember } from "./member.ts";
export { type AddressPlan, addressPlan, MAX_MEMBER_ID } from "./network/address-plan.ts";
export { loadRuntimeConfig, type RuntimeConfig } from "./runtime/index.ts";
