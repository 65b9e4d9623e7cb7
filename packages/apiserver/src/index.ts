export { ApiServer, type ApiServerOptions, KUBERNETES_VERSION } from "./api-server.ts";
export {
  CLUSTERS_PATH_PREFIX,
  ForwardingProxy,
  type ForwardingProxyOptions,
  type ForwardingResolver,
  type ForwardPath,
  type ForwardTarget,
  MEMBER_CLUSTERS_PATH_PREFIX,
  parseForwardPath,
  type RequestForwarder,
} from "./forwarding/index.ts";
export {
  type Authenticator,
  loadTokenFile,
  parseTokenFile,
  tokenAuthenticator,
  type UserInfo,
} from "./http/auth.ts";
export type { PodLogOptions, PodLogSource } from "./http/handlers/pod-subresources.ts";
export { LocalClient } from "./local-client.ts";
export { type LocalEtcd, openStore, startLocalEtcd } from "./storage/index.ts";
export type { Store } from "./storage/store.ts";
export {
  type CertificateAndKey,
  createCertificateAuthority,
  issueCertificate,
  loadOrCreateServingPki,
} from "./tls/pki.ts";
