import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { applyCommandArgsOverrider } from "./command-args-overrider.ts";
import { OverrideError } from "./override-error.ts";
import type { CommandArgsOverrider } from "./types.ts";

type Container = { name: string; command?: string[]; args?: string[] };

function statefulSet(containers: Container[], initContainers: Container[] = []): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "default" },
    spec: { template: { spec: { containers, initContainers } } },
  };
}

function containersOf(object: KubeObject): { containers: Container[]; initContainers: Container[] } {
  return (object.spec as { template: { spec: { containers: Container[]; initContainers: Container[] } } })
    .template.spec;
}

describe("commandOverrider and argsOverrider", () => {
  test("add appends to the named container's list, creating it when absent", () => {
    const object = statefulSet([
      { name: "etcd", command: ["etcd"], args: ["--name=a"] },
      { name: "sidecar", command: ["sleep"] },
    ]);
    applyCommandArgsOverrider(
      object,
      { containerName: "etcd", operator: "add", value: ["--debug"] },
      "command",
    );
    applyCommandArgsOverrider(
      object,
      { containerName: "sidecar", operator: "add", value: ["--x", "1"] },
      "args",
    );
    assert.deepEqual(containersOf(object).containers, [
      { name: "etcd", command: ["etcd", "--debug"], args: ["--name=a"] },
      { name: "sidecar", command: ["sleep"], args: ["--x", "1"] },
    ]);
  });

  test("remove drops every element equal to a listed value, keeping the order of the rest", () => {
    const object = statefulSet([{ name: "etcd", args: ["--a", "--b", "--a", "--c"] }]);
    applyCommandArgsOverrider(
      object,
      { containerName: "etcd", operator: "remove", value: ["--a", "--c", "--z"] },
      "args",
    );
    assert.deepEqual(containersOf(object).containers, [{ name: "etcd", args: ["--b"] }]);
  });

  test("remove on an absent list, an unknown container or a non-workload changes nothing", () => {
    const object = statefulSet([{ name: "etcd" }]);
    applyCommandArgsOverrider(object, { containerName: "etcd", operator: "remove", value: ["x"] }, "command");
    applyCommandArgsOverrider(object, { containerName: "other", operator: "add", value: ["x"] }, "command");
    assert.deepEqual(object, statefulSet([{ name: "etcd" }]));
    const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: {} };
    applyCommandArgsOverrider(service, { containerName: "etcd", operator: "add", value: ["x"] }, "args");
    assert.deepEqual(service.spec, {});
  });

  test("initContainers are found by name too", () => {
    const object = statefulSet([{ name: "main" }], [{ name: "setup", command: ["sh", "-c"] }]);
    applyCommandArgsOverrider(
      object,
      { containerName: "setup", operator: "add", value: ["true"] },
      "command",
    );
    assert.deepEqual(containersOf(object).initContainers, [{ name: "setup", command: ["sh", "-c", "true"] }]);
  });

  test("an empty value changes nothing; the policy's list is not shared with the object", () => {
    const object = statefulSet([{ name: "etcd", args: ["--a"] }]);
    applyCommandArgsOverrider(object, { containerName: "etcd", operator: "add" }, "args");
    assert.deepEqual(containersOf(object).containers, [{ name: "etcd", args: ["--a"] }]);
    const value = ["--b"];
    const fresh = statefulSet([{ name: "etcd" }]);
    applyCommandArgsOverrider(fresh, { containerName: "etcd", operator: "add", value }, "args");
    containersOf(fresh).containers[0].args!.push("--c");
    assert.deepEqual(value, ["--b"]);
  });

  test("replace and unknown operators, or a field that is not a list, throw InvalidOverrider", () => {
    for (const operator of ["replace", "set"]) {
      const overrider = { containerName: "etcd", operator, value: ["x"] } as CommandArgsOverrider;
      assert.throws(
        () => applyCommandArgsOverrider(statefulSet([{ name: "etcd" }]), overrider, "command"),
        (error: unknown) =>
          error instanceof OverrideError &&
          error.reason === "InvalidOverrider" &&
          error.message.includes(operator),
      );
    }
    const broken = statefulSet([{ name: "etcd", command: "etcd" as unknown as string[] }]);
    assert.throws(
      () =>
        applyCommandArgsOverrider(
          broken,
          { containerName: "etcd", operator: "add", value: ["x"] },
          "command",
        ),
      /containers\/0\/command is not a list/,
    );
  });
});
