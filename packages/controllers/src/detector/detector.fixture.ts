/**
 * A hub (no members) with the detector running, for the detector's tests:
 * records every reconcile outcome so a test can wait for the detector to have
 * decided about a template (including "decided to leave it alone").
 */
import {
  PROPAGATION_POLICIES,
  type PropagationSpec,
  RESOURCE_BINDINGS,
  type ResourceBinding,
} from "@atoll/api";
import type { KubeObject, ResourceId } from "@atoll/kube";
import { R } from "@atoll/kube";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { DetectorController, type DetectorOutcome } from "./detector-controller.ts";

export type DetectorFleet = {
  fleet: TestFleet;
  detector: DetectorController;
  errors: unknown[];
  /** Waits until the detector reports `outcome` for `key` (any time since the start). */
  outcome(key: string, outcome: DetectorOutcome, timeoutMs?: number): Promise<void>;
  /** Forgets the outcomes recorded for `key`, to wait for a fresh one. */
  forget(key: string): void;
  /** Resolves after the next reconcile of `key` that ends from now on (rejects after 15 s). */
  nextReconcile(key: string): Promise<DetectorOutcome>;
  /**
   * The outcome of the first reconcile of `key` that ends once `seen()` holds
   * (e.g. "the cache has my write"). Call it before the write that triggers it.
   */
  outcomeOnceSeen(key: string, seen: () => boolean): Promise<DetectorOutcome>;
  stop(): Promise<void>;
};

export async function startDetectorFleet(): Promise<DetectorFleet> {
  const fleet = await startFleet({ ids: [] });
  const outcomes = new Map<string, Set<DetectorOutcome>>();
  const errors: unknown[] = [];
  const waiters = new Map<string, Array<(outcome: DetectorOutcome) => void>>();
  fleet.context.onError = (_controller, _key, error) => errors.push(error);
  const detector = new DetectorController(fleet.context, {
    // Long enough that the tests see the detector react to binding and Work events, not to its own re-checks.
    deletionRecheckMs: 30_000,
    onOutcome: (key, outcome) => {
      const seen = outcomes.get(key) ?? new Set();
      seen.add(outcome);
      outcomes.set(key, seen);
      for (const resolve of waiters.get(key)?.splice(0) ?? []) resolve(outcome);
    },
  });
  detector.start();
  const nextReconcile = (key: string) =>
    new Promise<DetectorOutcome>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reconcile of ${key} within 15 s`)), 15_000);
      const list = waiters.get(key) ?? [];
      list.push((outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      waiters.set(key, list);
    });
  return {
    fleet,
    detector,
    errors,
    outcome: async (key, outcome, timeoutMs) => {
      await until(`${outcome} for ${key}`, () => outcomes.get(key)?.has(outcome), timeoutMs);
    },
    forget: (key) => outcomes.delete(key),
    nextReconcile,
    outcomeOnceSeen: (key, seen) => {
      let next = nextReconcile(key);
      const loop = async (): Promise<DetectorOutcome> => {
        for (;;) {
          const outcome = await next;
          if (seen()) return outcome;
          next = nextReconcile(key);
        }
      };
      return loop();
    },
    stop: async () => {
      detector.stop();
      await fleet.stop();
    },
  };
}

export async function createNamespace(fleet: TestFleet, name: string): Promise<void> {
  await fleet.hub.create(R.namespaces, undefined, { metadata: { name } });
}

/** A Deployment with two containers requesting 100m+250m cpu and 64Mi+128Mi memory. */
export function deployment(
  namespace: string,
  name: string,
  options: { replicas?: number; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name, ...options.labels } },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: "web", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "64Mi" } } },
            {
              name: "sidecar",
              image: "envoy:1.30",
              resources: { requests: { cpu: "250m", memory: "128Mi" } },
            },
          ],
        },
      },
    },
  };
}

export function propagationPolicy(namespace: string, name: string, spec: PropagationSpec): KubeObject {
  return {
    apiVersion: "policy.atoll.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name, namespace },
    spec,
  };
}

export function clusterPropagationPolicy(name: string, spec: PropagationSpec): KubeObject {
  return {
    apiVersion: "policy.atoll.io/v1alpha1",
    kind: "ClusterPropagationPolicy",
    metadata: { name },
    spec,
  };
}

/** The object once `check` holds for it. */
export async function waitForObject<T extends KubeObject = KubeObject>(
  fleet: TestFleet,
  resource: ResourceId,
  namespace: string | undefined,
  name: string,
  check: (object: T) => boolean,
  what: string,
): Promise<T> {
  return until(what, async () => {
    const object = (await fleet.hub.get(resource, namespace, name)) as T | undefined;
    return object && check(object) ? object : undefined;
  });
}

/** The ResourceBinding of a namespaced template once `check` holds. */
export function waitForBinding(
  fleet: TestFleet,
  namespace: string,
  name: string,
  check: (binding: ResourceBinding) => boolean,
  what: string,
): Promise<ResourceBinding> {
  return waitForObject<ResourceBinding>(fleet, RESOURCE_BINDINGS, namespace, name, check, what);
}

/** Waits until the detector's shared informer holds the policy, so what the detector decides next sees it. */
export async function policySeen(fleet: TestFleet, namespace: string, name: string): Promise<void> {
  await until(`policy ${namespace}/${name} in the cache`, () =>
    fleet.context.hubInformers.existing(PROPAGATION_POLICIES)?.get(`${namespace}/${name}`),
  );
}
