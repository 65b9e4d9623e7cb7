import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinDefaulter } from "./index.ts";

// clusterIP(s) and nodePorts, which a real cluster allocates, stay unset here.

function defaulted(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec };
  if (status) service.status = status;
  builtinDefaulter({ group: "", plural: "services" })?.(service);
  return service;
}

const SELECTOR = { app: "web" };
const SINGLE_STACK = { ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv4"] };

describe("service defaults", () => {
  test("a minimal ClusterIP service", () => {
    assert.deepEqual(defaulted({ selector: SELECTOR, ports: [{ port: 80 }] }).spec, {
      selector: SELECTOR,
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ...SINGLE_STACK,
    });
  });

  test("NodePort and LoadBalancer services are externally accessible", () => {
    const ports = [{ port: 443, targetPort: "https", protocol: "TCP" }];
    assert.deepEqual(defaulted({ type: "NodePort", selector: SELECTOR, ports }).spec, {
      type: "NodePort",
      selector: SELECTOR,
      ports,
      sessionAffinity: "None",
      externalTrafficPolicy: "Cluster",
      internalTrafficPolicy: "Cluster",
      ...SINGLE_STACK,
    });
    const lb = defaulted(
      { type: "LoadBalancer", selector: SELECTOR, ports },
      { loadBalancer: { ingress: [{ ip: "203.0.113.7" }, { hostname: "lb.example" }] } },
    );
    assert.deepEqual(lb.spec, {
      type: "LoadBalancer",
      selector: SELECTOR,
      ports,
      sessionAffinity: "None",
      externalTrafficPolicy: "Cluster",
      internalTrafficPolicy: "Cluster",
      allocateLoadBalancerNodePorts: true,
      ...SINGLE_STACK,
    });
    assert.deepEqual(lb.status, {
      loadBalancer: { ingress: [{ ip: "203.0.113.7", ipMode: "VIP" }, { hostname: "lb.example" }] },
    });
  });

  test("a ClusterIP service with external IPs gets an external traffic policy", () => {
    const spec = defaulted({ selector: SELECTOR, ports: [{ port: 80 }], externalIPs: ["198.51.100.1"] }).spec;
    assert.equal((spec as Record<string, unknown>).externalTrafficPolicy, "Cluster");
  });

  test("an ExternalName service gets no traffic policy or IP families", () => {
    assert.deepEqual(defaulted({ type: "ExternalName", externalName: "db.example.com" }).spec, {
      type: "ExternalName",
      externalName: "db.example.com",
      sessionAffinity: "None",
    });
  });

  test("headless services: single-stack with a selector, both families without", () => {
    assert.deepEqual(defaulted({ clusterIP: "None", selector: SELECTOR, ports: [{ port: 80 }] }).spec, {
      clusterIP: "None",
      clusterIPs: ["None"],
      selector: SELECTOR,
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ...SINGLE_STACK,
    });
    const selectorless = defaulted({ clusterIP: "None" }).spec as Record<string, unknown>;
    assert.equal(selectorless.ipFamilyPolicy, "RequireDualStack");
    assert.deepEqual(selectorless.ipFamilies, ["IPv4", "IPv6"]);
  });

  test("IP families follow the cluster IPs the client asks for", () => {
    const v4 = defaulted({ clusterIP: "10.96.0.10", ports: [{ port: 53, protocol: "UDP" }] }).spec;
    assert.deepEqual(v4, {
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ports: [{ port: 53, protocol: "UDP", targetPort: 53 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ...SINGLE_STACK,
    });
    const v6 = defaulted({ clusterIP: "fd00::10", clusterIPs: ["fd00::10"] }).spec as Record<string, unknown>;
    assert.deepEqual(v6.ipFamilies, ["IPv6"]);
  });

  test("session affinity: ClientIP gets a timeout, None drops the config", () => {
    const clientIP = defaulted({ sessionAffinity: "ClientIP", selector: SELECTOR }).spec as Record<
      string,
      unknown
    >;
    assert.deepEqual(clientIP.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    const kept = defaulted({
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    }).spec as Record<string, unknown>;
    assert.deepEqual(kept.sessionAffinityConfig, { clientIP: { timeoutSeconds: 60 } });
    const none = defaulted({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }).spec as Record<
      string,
      unknown
    >;
    assert.equal(none.sessionAffinityConfig, undefined);
  });

  test("values the client set are kept", () => {
    const spec = {
      type: "LoadBalancer",
      selector: SELECTOR,
      ports: [{ name: "dns", port: 53, targetPort: 5353, protocol: "UDP" }],
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      externalTrafficPolicy: "Local",
      internalTrafficPolicy: "Local",
      allocateLoadBalancerNodePorts: false,
      ipFamilyPolicy: "PreferDualStack",
      ipFamilies: ["IPv6"],
    };
    assert.deepEqual(defaulted(structuredClone(spec)).spec, spec);
  });
});
