import { defaultPullPolicy } from "./image-reference.ts";
import { child, items, type JsonObject, setIfUnset, setIfZero } from "./json-fields.ts";
import { defaultFieldRef } from "./volumes.ts";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const LIFECYCLE_HOOKS = ["postStart", "preStop"] as const;

/**
 * A container (regular, init or ephemeral): pull policy from the image tag,
 * termination message path and policy, port protocols, downward API env
 * selectors, probe timings and HTTP/gRPC handler defaults.
 */
export function defaultContainer(container: JsonObject): void {
  setIfZero(container, "imagePullPolicy", defaultPullPolicy(container.image));
  setIfZero(container, "terminationMessagePath", "/dev/termination-log");
  setIfZero(container, "terminationMessagePolicy", "File");
  for (const port of items(container, "ports")) setIfZero(port, "protocol", "TCP");
  for (const env of items(container, "env")) defaultFieldRef(child(child(env, "valueFrom"), "fieldRef"));
  for (const key of PROBES) {
    const probe = child(container, key);
    if (probe) defaultProbe(probe);
  }
  const lifecycle = child(container, "lifecycle");
  for (const key of LIFECYCLE_HOOKS) defaultHttpGet(child(child(lifecycle, key), "httpGet"));
}

function defaultProbe(probe: JsonObject): void {
  setIfZero(probe, "timeoutSeconds", 1);
  setIfZero(probe, "periodSeconds", 10);
  setIfZero(probe, "successThreshold", 1);
  setIfZero(probe, "failureThreshold", 3);
  defaultHttpGet(child(probe, "httpGet"));
  const grpc = child(probe, "grpc");
  // An empty service name asks the gRPC health server about the server as a whole.
  if (grpc) setIfUnset(grpc, "service", "");
}

function defaultHttpGet(action: JsonObject | undefined): void {
  if (!action) return;
  setIfZero(action, "path", "/");
  setIfZero(action, "scheme", "HTTP");
}

/**
 * Pod-only container defaults (kube-apiserver leaves pod templates alone here):
 * a resource with a limit and no request gets a request equal to its limit.
 */
export function defaultRequestsFromLimits(container: JsonObject): void {
  const resources = child(container, "resources");
  const limits = child(resources, "limits");
  // An empty limits map is omitted by Kubernetes, and so is the empty requests map it would create.
  if (!resources || !limits || Object.keys(limits).length === 0) return;
  setIfUnset(resources, "requests", {});
  const requests = child(resources, "requests");
  if (!requests) return;
  for (const [name, quantity] of Object.entries(limits)) setIfUnset(requests, name, quantity);
}

/** With host networking a container port is also a host port, unless one is given. */
export function defaultHostPorts(container: JsonObject): void {
  for (const port of items(container, "ports")) {
    const containerPort = port.containerPort;
    if (typeof containerPort === "number" && containerPort !== 0) setIfZero(port, "hostPort", containerPort);
  }
}
