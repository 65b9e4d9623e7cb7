import assert from "node:assert/strict";
import { test } from "node:test";
import { BackendPicker } from "./backend-picker.ts";

const a = { ip: "127.77.1.1", port: 80 };
const b = { ip: "127.77.1.2", port: 80 };
const c = { ip: "127.77.1.3", port: 80 };

function manualClock() {
  let now = 0;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

test("round-robin per Service port, over whatever backends are current", () => {
  const picker = new BackendPicker(manualClock());
  const pick = (portKey: string, backends = [a, b]) =>
    picker.pick({ portKey, backends, clientIp: "127.0.0.1" });
  assert.deepEqual([pick("web:http"), pick("web:http"), pick("web:http")], [a, b, a]);
  assert.deepEqual(pick("db:sql"), a, "each Service port has its own rotation");
  assert.deepEqual(pick("web:http", [c]), c);
  assert.equal(pick("web:http", []), undefined);
  assert.deepEqual(
    picker.pick({
      portKey: "web:http",
      backends: [a, b],
      clientIp: "x",
      exclude: new Set(["127.77.1.1:80"]),
    }),
    b,
  );
});

test("ClientIP affinity sticks while the backend lasts and the session is fresh", () => {
  const clock = manualClock();
  const picker = new BackendPicker(clock);
  const pick = (clientIp: string, backends = [a, b, c]) =>
    picker.pick({ portKey: "web:http", backends, clientIp, affinitySeconds: 10 });
  const first = pick("10.0.0.1");
  for (let i = 0; i < 5; i++) assert.deepEqual(pick("10.0.0.1"), first);
  assert.notDeepEqual(pick("10.0.0.2"), first, "another client rotates on");
  clock.advance(9_000);
  assert.deepEqual(pick("10.0.0.1"), first, "each use renews the session");
  clock.advance(10_001);
  assert.notDeepEqual(pick("10.0.0.1"), first, "an expired session picks anew");
  const current = pick("10.0.0.1");
  const others = [a, b, c].filter((x) => x !== current);
  assert.ok(others.includes(pick("10.0.0.1", others) ?? a), "a backend that went away is replaced");
});
