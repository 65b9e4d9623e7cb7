import assert from "node:assert/strict";
import { test } from "node:test";
import { repackSubsets } from "./endpoints-subsets.ts";

const address = (ip: string) => ({ ip, targetRef: { kind: "Pod", name: ip } });
const http = { name: "http", port: 8080, protocol: "TCP" };
const metrics = { name: "metrics", port: 9090, protocol: "TCP" };

test("ports offered by the same addresses share a subset; readiness splits addresses, not subsets", () => {
  const subsets = repackSubsets([
    { address: address("127.77.1.2"), ready: true, port: http },
    { address: address("127.77.1.10"), ready: false, port: http },
    { address: address("127.77.1.2"), ready: true, port: metrics },
    { address: address("127.77.1.10"), ready: false, port: metrics },
  ]);
  assert.deepEqual(subsets, [
    {
      addresses: [address("127.77.1.2")],
      notReadyAddresses: [address("127.77.1.10")],
      ports: [http, metrics],
    },
  ]);
});

test("a pod lacking a named port gets a subset of its own ports, as RepackSubsets groups them", () => {
  const subsets = repackSubsets([
    { address: address("127.77.1.2"), ready: true, port: http },
    { address: address("127.77.1.3"), ready: true, port: http },
    { address: address("127.77.1.3"), ready: true, port: metrics },
  ]);
  assert.deepEqual(subsets, [
    { addresses: [address("127.77.1.2"), address("127.77.1.3")], ports: [http] },
    { addresses: [address("127.77.1.3")], ports: [metrics] },
  ]);
  assert.deepEqual(repackSubsets([{ address: address("127.77.1.4"), ready: true, port: undefined }]), [
    { addresses: [address("127.77.1.4")] },
  ]);
  assert.deepEqual(repackSubsets([]), []);
});
