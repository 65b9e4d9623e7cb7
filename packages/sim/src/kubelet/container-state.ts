/** The kubelet's record of one container, rendered into `status.containerStatuses`. */
export type ContainerRecord = {
  name: string;
  image: string;
  containerID: string;
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  ready: boolean;
  started: boolean;
  restartCount: number;
};

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        startedAt: string;
        finishedAt: string;
        containerID: string;
        signal?: number;
      };
    };

export function waiting(reason: string, message?: string): ContainerState {
  return { waiting: message ? { reason, message } : { reason } };
}

export function isRunning(state: ContainerState): state is { running: { startedAt: string } } {
  return "running" in state;
}

export function isTerminated(
  state: ContainerState,
): state is Extract<ContainerState, { terminated: unknown }> {
  return "terminated" in state;
}

/** Kubernetes' reason for a container exit: Completed for 0, Error otherwise (OOMKilled is not simulated). */
export function exitReason(exitCode: number): string {
  return exitCode === 0 ? "Completed" : "Error";
}

/** A stable-looking image ID for an image reference, as a runtime would report after pulling. */
export function imageId(image: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) hash = Math.imul(hash ^ image.charCodeAt(i), 0x01000193) >>> 0;
  const digest = hash.toString(16).padStart(8, "0").repeat(8);
  const repository = image.split("@")[0].replace(/:[^/:]+$/, "");
  return `${repository.includes("/") ? repository : `docker.io/library/${repository}`}@sha256:${digest}`;
}

export function renderStatus(record: ContainerRecord, imageID: string) {
  return {
    name: record.name,
    image: record.image,
    imageID: record.started || record.restartCount > 0 ? imageID : "",
    ...(record.started || record.restartCount > 0 ? { containerID: record.containerID } : {}),
    ready: record.ready,
    started: record.started,
    restartCount: record.restartCount,
    state: record.state,
    lastState: record.lastState,
  };
}
