import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectlBinary, startTestServer, type TestServer } from "./harness.ts";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
`;

/** The same suite against the default kubectl and an older minor. */
for (const binary of ["kubectl", "kubectl.1.28"]) {
  const path = binary === "kubectl" ? "kubectl" : kubectlBinary(binary);
  describe(`${binary} against the API server`, { skip: path ? false : `${binary} not installed` }, () => {
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

    test("api-resources lists built-in kinds with short names and scope", async () => {
      const out = await ok(["api-resources", "--no-headers"]);
      assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      assert.match(
        out,
        /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m,
      );
    });

    test("create, get in every output format, and describe", async () => {
      await ok(["create", "-f", "-"], CONFIGMAP);
      const json = JSON.parse(await ok(["get", "configmap", "settings", "-o", "json"]));
      assert.equal(json.data.mode, "fast");
      assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(json.metadata.resourceVersion, /^\d+$/);
      assert.match(await ok(["get", "cm", "settings", "-o", "yaml"]), /mode: fast/);
      assert.equal((await ok(["get", "cm", "settings", "-o", "name"])).trim(), "configmap/settings");
      assert.match(await ok(["get", "cm", "settings"]), /^NAME\s+DATA\s+AGE\nsettings\s+1\s+\d+s\n$/);
      assert.match(await ok(["describe", "cm", "settings"]), /Name:\s+settings[\s\S]*mode/);
      const again = await k(["create", "-f", "-"], CONFIGMAP);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /AlreadyExists|already exists/);
    });

    test("apply creates, then applies a change; wide output and label selectors", async () => {
      assert.match(await ok(["apply", "-f", "-"], DEPLOYMENT), /deployment.apps\/web created/);
      assert.match(
        await ok(["apply", "-f", "-"], DEPLOYMENT.replace("replicas: 2", "replicas: 3")),
        /deployment.apps\/web configured/,
      );
      const deployment = JSON.parse(await ok(["get", "deploy", "web", "-o", "json"]));
      assert.equal(deployment.spec.replicas, 3);
      assert.equal(deployment.metadata.generation, 2);
      assert.ok(deployment.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
      assert.match(
        await ok(["get", "deploy", "-o", "wide"]),
        /CONTAINERS\s+IMAGES\s+SELECTOR[\s\S]*nginx\s+nginx:1\.25\s+app=web/,
      );
      assert.match(await ok(["get", "deploy", "-l", "tier=front", "-o", "name"]), /deployment.apps\/web/);
      assert.equal((await ok(["get", "deploy", "-l", "tier in (back)", "-o", "name"])).trim(), "");
    });

    test("server-side apply owns fields and reports conflicts", async () => {
      const manifest = CONFIGMAP.replace("settings", "ssa").replace("mode: fast", "mode: slow");
      assert.match(
        await ok(["apply", "--server-side", "-f", "-"], manifest),
        /configmap\/ssa serverside-applied/,
      );
      const cm = JSON.parse(await ok(["get", "cm", "ssa", "-o", "json", "--show-managed-fields"]));
      assert.ok(
        cm.metadata.managedFields.some(
          (f: { manager: string; operation: string }) => f.manager === "kubectl" && f.operation === "Apply",
        ),
      );
      const conflict = await k(
        ["apply", "--server-side", "--field-manager", "other", "-f", "-"],
        manifest.replace("slow", "other"),
      );
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict/i);
      await ok(
        ["apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "-"],
        manifest.replace("slow", "other"),
      );
      assert.equal(JSON.parse(await ok(["get", "cm", "ssa", "-o", "json"])).data.mode, "other");
    });

    test("label, annotate, all three patch types, scale", async () => {
      await ok(["label", "deploy", "web", "stage=prod"]);
      await ok(["annotate", "deploy", "web", "note=hello"]);
      await ok(["patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"minReadySeconds":5}}']);
      await ok([
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":4}]',
      ]);
      await ok([
        "patch",
        "deploy",
        "web",
        "--type=strategic",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
      ]);
      await ok(["scale", "deploy", "web", "--replicas=5"]);
      const d = JSON.parse(await ok(["get", "deploy", "web", "-o", "json"]));
      assert.equal(d.metadata.labels.stage, "prod");
      assert.equal(d.metadata.annotations.note, "hello");
      assert.equal(d.spec.minReadySeconds, 5);
      assert.equal(d.spec.revisionHistoryLimit, 4);
      assert.deepEqual(d.spec.template.spec.containers.map((c: { name: string }) => c.name).sort(), [
        "nginx",
        "sidecar",
      ]);
      assert.equal(d.spec.replicas, 5);
    });

    test("edit through a non-interactive EDITOR", async () => {
      const editor = `${env.dir}/editor.sh`;
      const { writeFile, chmod } = await import("node:fs/promises");
      await writeFile(editor, "#!/bin/sh\nsed -i 's/mode: fast/mode: edited/' \"$1\"\n");
      await chmod(editor, 0o755);
      const result = await env.kubectl(["edit", "cm", "settings"], {
        binary: path,
        env: { EDITOR: editor, KUBE_EDITOR: editor },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(await ok(["get", "cm", "settings", "-o", "json"])).data.mode, "edited");
    });

    test("field selectors and chunked lists", async () => {
      for (let i = 0; i < 7; i++) await ok(["create", "configmap", `chunk-${i}`, `--from-literal=i=${i}`]);
      const names = (await ok(["get", "cm", "--chunk-size=2", "-o", "name"])).trim().split("\n");
      assert.ok(names.filter((n) => n.startsWith("configmap/chunk-")).length === 7);
      assert.equal(
        (await ok(["get", "cm", "--field-selector", "metadata.name=chunk-3", "-o", "name"])).trim(),
        "configmap/chunk-3",
      );
      const bad = await k(["get", "cm", "--field-selector", "spec.nope=1"]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /field label not supported/);
    });

    test("wait for a condition and for deletion; delete", async () => {
      const waiting = k(["wait", "--for=delete", "configmap/chunk-0", "--timeout=20s"]);
      await ok(["delete", "cm", "chunk-0"]);
      assert.equal((await waiting).code, 0);
      await ok(["create", "-f", "-"], NS_MANIFEST);
      assert.equal(
        (await k(["wait", "--for=jsonpath={.status.phase}=Active", "namespace/waiting", "--timeout=10s"]))
          .code,
        0,
      );
    });

    test("get -w streams changes", async () => {
      const watching = env.kubectl(["get", "cm", "-w", "--request-timeout=3s"], {
        binary: path,
        timeoutMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 700));
      await ok(["create", "configmap", "watched", "--from-literal=a=b"]);
      const result = await watching;
      assert.match(result.stdout, /watched/);
    });
  });
}

const NS_MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: waiting
`;
