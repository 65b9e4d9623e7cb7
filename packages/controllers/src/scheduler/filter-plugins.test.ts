import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Taint } from "@atoll/api";
import type { FilterContext, FilterPlugin, FilterResult } from "./framework.ts";
import type { ClusterAffinity, Placement } from "./placement-types.ts";
import { apiEnablement } from "./plugins/api-enablement.ts";
import { clusterAffinity } from "./plugins/cluster-affinity.ts";
import { clusterEviction } from "./plugins/cluster-eviction.ts";
import { cordonedMember } from "./plugins/cordoned-member.ts";
import { disabledMember } from "./plugins/disabled-member.ts";
import { spreadProperty } from "./plugins/spread-property.ts";
import { taintToleration } from "./plugins/taint-toleration.ts";
import { DEPLOYMENT, type MemberShape, member, NOW } from "./test-members.ts";

type Case = {
  name: string;
  shape?: MemberShape;
  placement?: Placement;
  affinity?: ClusterAffinity;
  holder?: boolean;
  evicted?: boolean;
  gvk?: FilterContext["gvk"];
  want: FilterResult;
};

function run(plugin: FilterPlugin, cases: Case[]) {
  for (const c of cases) {
    test(c.name, () => {
      const ctx: FilterContext = {
        placement: c.placement ?? {},
        affinity: c.affinity,
        gvk: c.gvk ?? DEPLOYMENT,
        now: NOW,
        holders: new Set(c.holder ? ["k8s-1"] : []),
        evictedFrom: new Set(c.evicted ? ["k8s-1"] : []),
      };
      assert.deepEqual(plugin.filter(member("k8s-1", c.shape), ctx), c.want);
    });
  }
}

const MISMATCH: FilterResult = {
  fit: false,
  reason: "cluster(s) didn't match the placement cluster affinity constraint",
};
const FIT: FilterResult = { fit: true };

describe("cluster affinity", () => {
  const shape: MemberShape = {
    region: "eu",
    zone: "eu-1",
    provider: "aws",
    labels: { env: "prod", tier: "gold" },
  };
  run(clusterAffinity, [
    { name: "no affinity matches all", shape, want: FIT },
    { name: "empty affinity matches all", shape, affinity: {}, want: FIT },
    { name: "clusterNames includes it", shape, affinity: { clusterNames: ["k8s-1", "k8s-2"] }, want: FIT },
    { name: "clusterNames without it", shape, affinity: { clusterNames: ["k8s-2"] }, want: MISMATCH },
    {
      name: "exclude wins over clusterNames",
      shape,
      affinity: { clusterNames: ["k8s-1"], exclude: ["k8s-1"] },
      want: MISMATCH,
    },
    { name: "matchLabels", shape, affinity: { labelSelector: { matchLabels: { env: "prod" } } }, want: FIT },
    {
      name: "matchLabels mismatch",
      shape,
      affinity: { labelSelector: { matchLabels: { env: "dev" } } },
      want: MISMATCH,
    },
    {
      name: "matchExpressions In/NotIn/Exists/DoesNotExist",
      shape,
      affinity: {
        labelSelector: {
          matchExpressions: [
            { key: "tier", operator: "In", values: ["gold", "silver"] },
            { key: "env", operator: "NotIn", values: ["dev"] },
            { key: "env", operator: "Exists" },
            { key: "legacy", operator: "DoesNotExist" },
          ],
        },
      },
      want: FIT,
    },
    {
      name: "matchExpressions DoesNotExist fails",
      shape,
      affinity: { labelSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] } },
      want: MISMATCH,
    },
    {
      name: "fieldSelector region In and provider NotIn",
      shape,
      affinity: {
        fieldSelector: {
          matchExpressions: [
            { key: "region", operator: "In", values: ["eu", "us"] },
            { key: "provider", operator: "NotIn", values: ["gcp"] },
          ],
        },
      },
      want: FIT,
    },
    {
      name: "fieldSelector zone In mismatch",
      shape,
      affinity: { fieldSelector: { matchExpressions: [{ key: "zone", operator: "In", values: ["eu-2"] }] } },
      want: MISMATCH,
    },
    {
      name: "all parts must match",
      shape,
      affinity: { clusterNames: ["k8s-1"], labelSelector: { matchLabels: { env: "dev" } } },
      want: MISMATCH,
    },
  ]);
});

describe("taint toleration", () => {
  const unreachable = (effect: Taint["effect"], timeAdded?: string): Taint => ({
    key: "cluster.atoll.io/unreachable",
    effect,
    ...(timeAdded ? { timeAdded } : {}),
  });
  const fiveMinutesAgo = new Date(NOW.getTime() - 300_000).toISOString();
  run(taintToleration, [
    { name: "no taints", want: FIT },
    {
      name: "untolerated NoSchedule",
      shape: { taints: [unreachable("NoSchedule")] },
      want: { fit: false, reason: "cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }" },
    },
    {
      name: "untolerated taint with a value",
      shape: { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] },
      want: { fit: false, reason: "cluster(s) had untolerated taint {dedicated: gpu}" },
    },
    { name: "PreferNoSchedule is ignored", shape: { taints: [unreachable("PreferNoSchedule")] }, want: FIT },
    {
      name: "Exists toleration on the key",
      shape: { taints: [unreachable("NoSchedule")] },
      placement: { clusterTolerations: [{ key: "cluster.atoll.io/unreachable", operator: "Exists" }] },
      want: FIT,
    },
    {
      name: "Equal toleration needs the value",
      shape: { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] },
      placement: { clusterTolerations: [{ key: "dedicated", value: "cpu", effect: "NoSchedule" }] },
      want: { fit: false, reason: "cluster(s) had untolerated taint {dedicated: gpu}" },
    },
    {
      name: "empty key with Exists tolerates everything",
      shape: { taints: [unreachable("NoSchedule"), unreachable("NoExecute")] },
      placement: { clusterTolerations: [{ operator: "Exists" }] },
      want: FIT,
    },
    {
      name: "toleration for another effect does not match",
      shape: { taints: [unreachable("NoExecute")] },
      placement: {
        clusterTolerations: [
          { key: "cluster.atoll.io/unreachable", operator: "Exists", effect: "NoSchedule" },
        ],
      },
      want: { fit: false, reason: "cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }" },
    },
    {
      name: "NoExecute tolerated for 600 s, added 5 min ago: fits until then",
      shape: { taints: [unreachable("NoExecute", fiveMinutesAgo)] },
      placement: {
        clusterTolerations: [
          { key: "cluster.atoll.io/unreachable", operator: "Exists", tolerationSeconds: 600 },
        ],
      },
      want: { fit: true, until: new Date(NOW.getTime() + 300_000) },
    },
    {
      name: "NoExecute tolerated for 300 s, added 5 min ago: expired",
      shape: { taints: [unreachable("NoExecute", fiveMinutesAgo)] },
      placement: {
        clusterTolerations: [
          { key: "cluster.atoll.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
        ],
      },
      want: {
        fit: false,
        reason:
          "cluster(s) had taint {cluster.atoll.io/unreachable: } tolerated only until 2025-01-01T00:00:00.000Z",
      },
    },
    {
      name: "the shortest tolerationSeconds among matching tolerations wins",
      shape: { taints: [unreachable("NoExecute", fiveMinutesAgo)] },
      placement: {
        clusterTolerations: [
          { key: "cluster.atoll.io/unreachable", operator: "Exists" },
          { operator: "Exists", effect: "NoExecute", tolerationSeconds: 360 },
        ],
      },
      want: { fit: true, until: new Date(NOW.getTime() + 60_000) },
    },
    {
      name: "NoExecute tolerated without tolerationSeconds: forever",
      shape: { taints: [unreachable("NoExecute", fiveMinutesAgo)] },
      placement: { clusterTolerations: [{ key: "cluster.atoll.io/unreachable", operator: "Exists" }] },
      want: FIT,
    },
    {
      name: "a holder keeps its place under an untolerated NoSchedule taint, but gets nothing new",
      shape: { taints: [unreachable("NoSchedule")] },
      holder: true,
      want: { fit: true, keepOnly: "had untolerated taint {cluster.atoll.io/unreachable: }" },
    },
    {
      name: "a holder is turned away by an untolerated NoExecute taint",
      shape: { taints: [unreachable("NoExecute")] },
      holder: true,
      want: { fit: false, reason: "cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }" },
    },
  ]);
});

describe("API enablement", () => {
  run(apiEnablement, [
    { name: "serves apps/v1 Deployment", want: FIT },
    {
      name: "does not serve the kind",
      shape: { apis: ["v1 ConfigMap"] },
      want: { fit: false, reason: "the cluster does not serve apps/v1 Deployment" },
    },
    {
      name: "core group",
      shape: { apis: ["apps/v1 Deployment"] },
      gvk: { group: "", version: "v1", kind: "ConfigMap" },
      want: { fit: false, reason: "the cluster does not serve v1 ConfigMap" },
    },
    {
      name: "APIs not reported yet",
      shape: { apis: [] },
      want: { fit: false, reason: "the cluster has not reported its served APIs yet" },
    },
  ]);
});

describe("member state", () => {
  describe("disabled", () => {
    run(disabledMember, [
      { name: "enabled", want: FIT },
      { name: "disabled", shape: { disabled: true }, want: { fit: false, reason: "cluster is disabled" } },
      {
        name: "disabled holder",
        shape: { disabled: true },
        holder: true,
        want: { fit: false, reason: "cluster is disabled" },
      },
    ]);
  });
  describe("cordoned", () => {
    run(cordonedMember, [
      { name: "schedulable", want: FIT },
      {
        name: "cordoned",
        shape: { unschedulable: true },
        want: { fit: false, reason: "cluster is cordoned" },
      },
      {
        name: "cordoned holder",
        shape: { unschedulable: true },
        holder: true,
        want: { fit: true, keepOnly: "cluster is cordoned" },
      },
    ]);
  });
  describe("eviction", () => {
    run(clusterEviction, [
      { name: "not evicted", want: FIT },
      {
        name: "evicted",
        evicted: true,
        want: { fit: false, reason: "cluster(s) is in the process of eviction" },
      },
    ]);
  });
  describe("spread property", () => {
    run(spreadProperty, [
      { name: "no constraints", want: FIT },
      {
        name: "no region",
        placement: { spreadConstraints: [{ spreadByField: "region" }] },
        want: { fit: false, reason: "cluster(s) did not have region property" },
      },
      {
        name: "has region",
        shape: { region: "eu" },
        placement: { spreadConstraints: [{ spreadByField: "region" }] },
        want: FIT,
      },
      {
        name: "no label",
        placement: { spreadConstraints: [{ spreadByLabel: "topology.atoll.io/rack" }] },
        want: { fit: false, reason: 'cluster(s) did not have label "topology.atoll.io/rack"' },
      },
      {
        name: "spread by cluster needs nothing",
        placement: { spreadConstraints: [{ spreadByField: "cluster" }] },
        want: FIT,
      },
    ]);
  });
});
