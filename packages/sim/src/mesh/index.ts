/** Cilium-ClusterMesh-like meshing of simulated members: global Services across members. */
export { type ClusterInfo, clusterInfoOf, parseClusterInfo } from "./cluster-info.ts";
export { ClusterMesh, type ClusterMeshOptions } from "./cluster-mesh.ts";
export {
  checkMeshRequirements,
  connectMembers,
  type MeshMember,
  type MeshTarget,
  type MeshView,
  meshViewOf,
  type PeerView,
  readMeshMember,
  readMeshStatus,
  removePeers,
  standaloneKubeconfig,
  waitForMesh,
} from "./connect.ts";
export { affinityOf, globalBackends, isGlobal, isShared, type ServiceAffinity } from "./global-service.ts";
export { MeshError, MeshFailure } from "./mesh-error.ts";
export { type PeerEntry, peersOfSecret } from "./mesh-secret.ts";
export { type MeshStatus, meshStatusOf, type PeerStatus } from "./mesh-status.ts";
export {
  DEFAULT_PEER_HEALTH,
  type PeerHealthSettings,
  type PeerState,
  peerHealthSettings,
} from "./peer-link.ts";
export { type MeshProblem, meshProblems } from "./requirements.ts";
export * from "./well-known.ts";
