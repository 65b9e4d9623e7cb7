// The real-process runtime of a simulated member's kubelet: which images run
// for real, how a container's environment and volumes are resolved from the
// API, how its process is isolated, probed and logged. See README.md.

export { type ContainerRecord, cleanupOrphans } from "./container-state.ts";
export { RuntimeError, RuntimeErrorReason } from "./errors.ts";
export { type ExecOptions, type ExecResult, execInContainer } from "./exec.ts";
export { expand, expandWith } from "./expansion.ts";
export { CriLogWriter, criTimestamp } from "./log-writer.ts";
export {
  containerLogPath,
  type FollowOptions,
  followContainerLog,
  type LogOptions,
  logFileFor,
  pruneContainerLogs,
  readContainerLog,
} from "./logs.ts";
export {
  type ContainerMount,
  type PreparedContainer,
  type PrepareOptions,
  prepareContainer,
} from "./prepare.ts";
export {
  type ProbeKind,
  type ProbeState,
  type ProbeTransition,
  ProbeWorker,
  type ProbeWorkerOptions,
  systemTimers,
  type Timers,
} from "./probe-worker.ts";
export { PROBE_DEFAULTS, type ProbeContext, type ProbeOutcome, resolvePort, runProbe } from "./probes.ts";
export { type LauncherOptions, RealProcessLauncher, type RunningContainer } from "./process-launcher.ts";
export {
  type ContainerExit,
  type ContainerProcess,
  type StartOptions,
  startContainer,
} from "./process-runtime.ts";
export {
  containerArgv,
  defaultRuntimeConfig,
  type ImageRule,
  imageMatches,
  loadRuntimeConfig,
  parseRuntimeConfig,
  type ResolvedImage,
  type RuntimeConfig,
  repositoryPath,
  resolveImage,
  searchPath,
  type Which,
} from "./runtime-config.ts";
export { type DetectOptions, detectSandbox, type Sandbox, type SandboxTools } from "./sandbox.ts";
export { podVolumeDir, removePodVolumes } from "./volumes.ts";
