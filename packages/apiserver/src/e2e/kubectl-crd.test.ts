import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectlBinary, startTestServer, type TestServer } from "./harness.ts";

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    schema:
      openAPIV3Schema:
        type: object
        description: A widget made for testing.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size: {type: integer, minimum: 1, description: How big the widget is.}
              color: {type: string, enum: [red, blue], default: red}
              replicas: {type: integer}
            x-kubernetes-validations:
            - {rule: "self.size < 100", message: size must be below 100}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

const widget = (name: string, spec: string) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: ${name}}
spec: ${spec}
`;

for (const binary of ["kubectl", "kubectl.1.28"]) {
  const path = binary === "kubectl" ? "kubectl" : kubectlBinary(binary);
  describe(`${binary} with a CRD`, { skip: path ? false : `${binary} not installed` }, () => {
    let env: TestServer;
    const k = (args: string[], input?: string) => env.kubectl(args, { binary: path, input });
    const ok = async (args: string[], input?: string) => {
      const result = await k(args, input);
      assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
      return result.stdout;
    };

    before(async () => {
      env = await startTestServer();
    });
    after(async () => {
      await env.stop();
    });

    test("the CRD becomes Established and its kind appears in discovery", async () => {
      await ok(["apply", "-f", "-"], CRD);
      await ok(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s"]);
      assert.match(
        await ok(["api-resources", "--api-group=example.com", "--no-headers"]),
        /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m,
      );
    });

    test("custom resources through create, apply, get, describe, patch, scale and delete", async () => {
      await ok(["create", "-f", "-"], widget("small", "{size: 2}"));
      assert.match(
        await ok(["apply", "-f", "-"], widget("big", "{size: 50, color: blue}")),
        /widget.example.com\/big created/,
      );
      assert.match(await ok(["get", "wd"]), /^NAME\s+SIZE\s+COLOR\nbig\s+50\s+blue\nsmall\s+2\s+red\n$/);
      assert.match(await ok(["describe", "widget", "small"]), /Kind:\s+Widget[\s\S]*Size:\s+2/);
      await ok(["patch", "wd", "small", "--type=merge", "-p", '{"spec":{"size":3}}']);
      await ok(["label", "wd", "small", "team=a"]);
      await ok(["scale", "wd", "small", "--replicas=4"]);
      const small = JSON.parse(await ok(["get", "wd", "small", "-o", "json"]));
      assert.equal(small.spec.size, 3);
      assert.equal(small.spec.replicas, 4);
      assert.equal(small.metadata.labels.team, "a");
      assert.match(await ok(["get", "all", "-o", "name"]), /widget.example.com\/big/);
      await ok(["delete", "wd", "big"]);
      assert.equal((await k(["get", "wd", "big"])).code, 1);
    });

    test("schema and CEL validation failures are reported per field", async () => {
      const result = await k(["apply", "-f", "-"], widget("bad", "{size: 500, color: green}"));
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /spec.color: Unsupported value: "green"/);
      assert.match(result.stderr, /size must be below 100/);
      const unknown = await k(["apply", "-f", "-"], widget("strict", "{size: 5, shape: round}"));
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /unknown field "spec.shape"/);
      assert.equal((await k(["get", "wd", "bad"])).code, 1);
    });

    test("explain reads the CRD's schema", async () => {
      const out = await ok(["explain", "widgets.spec"]);
      assert.match(out, /What the widget should be/);
      assert.match(out, /size\s+<integer>.*-required-/);
      assert.match(out, /How big the widget is/);
    });

    test("deleting the CRD removes its resources and its kind", async () => {
      await ok(["delete", "crd", "widgets.example.com", "--timeout=20s"]);
      const resources = await ok(["api-resources", "--no-headers"]);
      assert.doesNotMatch(resources, /widgets/);
    });
  });
}
