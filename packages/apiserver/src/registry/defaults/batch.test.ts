import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinDefaulter } from "./index.ts";

function defaulted(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  const job: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi", labels }, spec };
  if (!labels) delete job.metadata.labels;
  builtinDefaulter({ group: "batch", plural: "jobs" })?.(job);
  return job;
}

const template = () => ({
  spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] },
});

const DEFAULTED_TEMPLATE = {
  spec: {
    restartPolicy: "Never",
    containers: [
      {
        name: "pi",
        image: "perl:5.34",
        imagePullPolicy: "IfNotPresent",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ],
    dnsPolicy: "ClusterFirst",
    schedulerName: "default-scheduler",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
};

describe("batch/v1 Job defaults", () => {
  test("a minimal Job (its selector is the strategy's)", () => {
    assert.deepEqual(defaulted({ template: template() }).spec, {
      template: DEFAULTED_TEMPLATE,
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      manualSelector: false,
    });
  });

  test("a template without restartPolicy gets Always, which Job validation must reject", () => {
    const job = defaulted({ template: { spec: { containers: [{ name: "pi", image: "perl:5.34" }] } } });
    const template = (job.spec as { template: { spec: Record<string, unknown> } }).template;
    assert.equal(template.spec.restartPolicy, "Always");
  });

  test("parallelism alone leaves completions unset (a work queue)", () => {
    const spec = defaulted({ parallelism: 3, template: template() }).spec as Record<string, unknown>;
    assert.equal(spec.completions, undefined);
    assert.equal(spec.parallelism, 3);
    const onlyCompletions = defaulted({ completions: 5, template: template() }).spec as Record<
      string,
      unknown
    >;
    assert.equal(onlyCompletions.parallelism, 1);
  });

  test("per-index backoff makes the global backoff limit unlimited", () => {
    const spec = defaulted({
      completionMode: "Indexed",
      completions: 3,
      backoffLimitPerIndex: 1,
      template: template(),
    }).spec as Record<string, unknown>;
    assert.equal(spec.backoffLimit, 2147483647);
  });

  test("a pod failure policy: Failed replacement and condition status True", () => {
    const spec = defaulted({
      podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] },
      template: template(),
    }).spec as Record<string, unknown>;
    assert.equal(spec.podReplacementPolicy, "Failed");
    assert.deepEqual(spec.podFailurePolicy, {
      rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }],
    });
  });

  test("the Job takes its template's labels only when it has none", () => {
    const labelled = (labels?: Record<string, string>) =>
      defaulted({ template: { ...template(), metadata: { labels: { app: "pi" } } } }, labels).metadata.labels;
    assert.deepEqual(labelled(), { app: "pi" });
    assert.deepEqual(labelled({}), { app: "pi" });
    assert.deepEqual(labelled({ team: "math" }), { team: "math" });
  });

  test("values the client set are kept", () => {
    const spec = {
      completions: 4,
      parallelism: 2,
      backoffLimit: 0,
      completionMode: "Indexed",
      suspend: true,
      podReplacementPolicy: "Failed",
      manualSelector: true,
      template: DEFAULTED_TEMPLATE,
    };
    assert.deepEqual(defaulted(structuredClone(spec)).spec, spec);
  });
});
