export { ApiServer, type ApiServerOptions, KUBERNETES_VERSION } from "./api-server.ts";
export {
  type Authenticator,
  loadTokenFile,
  parseTokenFile,
  tokenAuthenticator,
  type UserInfo,
} from "./http/auth.ts";
export { openStore } from "./storage/index.ts";
export type { Store } from "./storage/store.ts";
