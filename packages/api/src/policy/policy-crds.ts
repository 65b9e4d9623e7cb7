import type { KubeObject } from "@atoll/kube";
import { clusterResourceBindingCrd, resourceBindingCrd } from "../work/resource-binding-crd.ts";
import { workCrd } from "../work/work-crd.ts";
import { clusterOverridePolicyCrd, overridePolicyCrd } from "./override-policy-crd.ts";
import { clusterPropagationPolicyCrd, propagationPolicyCrd } from "./propagation-policy-crd.ts";

/**
 * Every CRD of propagation: the four policies (policy.atoll.io) and the
 * bindings and Works (work.atoll.io), fresh objects on each call.
 */
export function policyCrds(): KubeObject[] {
  return [
    propagationPolicyCrd(),
    clusterPropagationPolicyCrd(),
    overridePolicyCrd(),
    clusterOverridePolicyCrd(),
    resourceBindingCrd(),
    clusterResourceBindingCrd(),
    workCrd(),
  ];
}
