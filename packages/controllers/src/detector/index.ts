/** The resource detector: templates + (Cluster)PropagationPolicies → claimed templates and (Cluster)ResourceBindings. */
export { DetectorController, type DetectorOptions, type DetectorOutcome } from "./detector-controller.ts";
export { DetectorEventReasons } from "./policy-events.ts";
export {
  type CandidatePolicy,
  canPreempt,
  choosePolicy,
  compareRank,
  matchStrength,
  type PolicyClaim,
  type PolicyDecision,
  type PolicyScope,
} from "./policy-match.ts";
export { parseTemplateKey, type TemplateRef, templateKey } from "./template-key.ts";
