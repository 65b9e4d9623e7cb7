import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Printer } from "../table.ts";
import {
  endpointSlicePrinter,
  endpointsPrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
  servicePrinter,
} from "./networking.ts";

const now = new Date("2024-05-01T12:00:00Z");
const metadata = { name: "web", namespace: "shop", creationTimestamp: "2024-05-01T11:57:58Z" };
const cells = (printer: Printer, obj: object) => printer.print(obj, { now }).cells;

describe("services", () => {
  test("columns", () => {
    assert.deepEqual(
      servicePrinter.columns.map((c) => [c.name, c.priority]),
      [
        ["Name", 0],
        ["Type", 0],
        ["Cluster-IP", 0],
        ["External-IP", 0],
        ["Port(s)", 0],
        ["Age", 0],
        ["Selector", 1],
      ],
    );
  });

  test("NodePort with several ports", () => {
    const svc = {
      metadata,
      spec: {
        type: "NodePort",
        clusterIP: "10.96.12.34",
        clusterIPs: ["10.96.12.34"],
        selector: { tier: "front", app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: 8080, nodePort: 30080, protocol: "TCP" },
          { name: "dns", port: 53, nodePort: 30053, protocol: "UDP" },
        ],
      },
    };
    assert.deepEqual(cells(servicePrinter, svc), [
      "web",
      "NodePort",
      "10.96.12.34",
      "<none>",
      "80:30080/TCP,53:30053/UDP",
      "2m2s",
      "app=web,tier=front",
    ]);
  });

  test("ClusterIP defaults, headless and external IPs", () => {
    const plain = { metadata, spec: { clusterIP: "10.96.0.10", ports: [{ port: 443 }] } };
    assert.deepEqual(cells(servicePrinter, plain), [
      "web",
      "ClusterIP",
      "10.96.0.10",
      "<none>",
      "443/TCP",
      "2m2s",
      "<none>",
    ]);
    const headless = {
      metadata,
      spec: { type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], externalIPs: ["192.0.2.7"] },
    };
    assert.deepEqual(cells(servicePrinter, headless).slice(1, 5), [
      "ClusterIP",
      "None",
      "192.0.2.7",
      "<none>",
    ]);
  });

  test("LoadBalancer pending, assigned, and with external IPs", () => {
    const lb = (status: object, externalIPs?: string[]) => ({
      metadata,
      spec: {
        type: "LoadBalancer",
        clusterIPs: ["10.96.3.3"],
        externalIPs,
        ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }],
      },
      status: { loadBalancer: status },
    });
    assert.equal(cells(servicePrinter, lb({}))[3], "<pending>");
    const assigned = lb({
      ingress: [{ ip: "203.0.113.9" }, { hostname: "lb.example.com" }, { ip: "203.0.113.1" }],
    });
    assert.equal(cells(servicePrinter, assigned)[3], "203.0.113.1,203.0.113.9,lb.example.com");
    assert.equal(
      cells(servicePrinter, lb({ ingress: [{ ip: "203.0.113.9" }] }, ["192.0.2.1"]))[3],
      "203.0.113.9,192.0.2.1",
    );
  });

  test("ExternalName", () => {
    const svc = { metadata, spec: { type: "ExternalName", externalName: "db.example.com" } };
    assert.deepEqual(cells(servicePrinter, svc).slice(1, 5), [
      "ExternalName",
      "<none>",
      "db.example.com",
      "<none>",
    ]);
  });
});

describe("endpoints", () => {
  test("addresses with ports, more than three", () => {
    const ep = {
      metadata,
      subsets: [
        {
          addresses: [{ ip: "10.244.1.5" }, { ip: "10.244.2.6" }],
          ports: [
            { name: "http", port: 8080 },
            { name: "metrics", port: 9090 },
          ],
        },
        { addresses: [{ ip: "fd00::7" }], ports: [{ port: 8080 }] },
      ],
    };
    assert.deepEqual(cells(endpointsPrinter, ep), [
      "web",
      "10.244.1.5:8080,10.244.2.6:8080,10.244.1.5:9090 + 2 more...",
      "2m2s",
    ]);
  });

  test("headless without ports, IPv6, empty", () => {
    const headless = { metadata, subsets: [{ addresses: [{ ip: "fd00::7" }] }] };
    assert.equal(cells(endpointsPrinter, headless)[1], "fd00::7");
    const v6 = { metadata, subsets: [{ addresses: [{ ip: "fd00::7" }], ports: [{ port: 80 }] }] };
    assert.equal(cells(endpointsPrinter, v6)[1], "[fd00::7]:80");
    assert.equal(cells(endpointsPrinter, { metadata })[1], "<none>");
    assert.equal(
      cells(endpointsPrinter, { metadata, subsets: [{ notReadyAddresses: [{ ip: "1.2.3.4" }] }] })[1],
      "",
    );
  });
});

test("endpointslices", () => {
  const slice = {
    metadata: { ...metadata, name: "web-abc12" },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "grpc" }, {}, { port: 1 }],
    endpoints: [{ addresses: ["10.244.1.5"] }, { addresses: ["10.244.2.6"] }],
  };
  assert.deepEqual(cells(endpointSlicePrinter, slice), [
    "web-abc12",
    "IPv4",
    "8080,grpc,* + 1 more...",
    "10.244.1.5,10.244.2.6",
    "2m2s",
  ]);
  assert.deepEqual(cells(endpointSlicePrinter, { metadata, addressType: "IPv6" }).slice(2, 4), [
    "<unset>",
    "<unset>",
  ]);
});

test("ingresses", () => {
  const ingress = {
    metadata,
    spec: {
      ingressClassName: "nginx",
      tls: [{ hosts: ["shop.example.com"] }],
      rules: [
        { host: "shop.example.com" },
        {},
        { host: "api.example.com" },
        { host: "admin.example.com" },
        { host: "x.example.com" },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: "203.0.113.4" }] } },
  };
  assert.deepEqual(cells(ingressPrinter, ingress), [
    "web",
    "nginx",
    "shop.example.com,api.example.com,admin.example.com + 2 more...",
    "203.0.113.4",
    "80, 443",
    "2m2s",
  ]);
  assert.deepEqual(cells(ingressPrinter, { metadata, spec: { rules: [{}] } }).slice(1, 5), [
    "<none>",
    "*",
    "",
    "80",
  ]);
});

test("ingressclasses", () => {
  const ic = {
    metadata: { ...metadata, name: "nginx" },
    spec: {
      controller: "k8s.io/ingress-nginx",
      parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" },
    },
  };
  assert.deepEqual(cells(ingressClassPrinter, ic), [
    "nginx",
    "k8s.io/ingress-nginx",
    "IngressParameters.k8s.example.com/external-lb",
    "2m2s",
  ]);
  assert.equal(cells(ingressClassPrinter, { metadata, spec: { controller: "c" } })[2], "<none>");
});

test("networkpolicies", () => {
  assert.deepEqual(
    cells(networkPolicyPrinter, { metadata, spec: { podSelector: { matchLabels: { app: "db" } } } }),
    ["web", "app=db", "2m2s"],
  );
  assert.equal(cells(networkPolicyPrinter, { metadata, spec: { podSelector: {} } })[1], "<none>");
});
