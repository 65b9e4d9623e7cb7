import { writeFile } from "node:fs/promises";
import { ApiServer } from "./api-server.ts";
import { tokenAuthenticator } from "./http/auth.ts";
import { MemoryStore } from "./storage/memory-store.ts";
import { loadOrCreateServingPki } from "./tls/pki.ts";

const { ca, serving } = await loadOrCreateServingPki("/tmp/zzp3", {
  commonName: "test",
  hosts: ["127.0.0.1"],
  now: new Date(),
});
const server = await ApiServer.start({
  store: new MemoryStore(),
  tls: serving,
  port: 16999,
  authenticator: tokenAuthenticator(new Map([["t0ken", { name: "admin", uid: "1", groups: [] }]])),
});
await writeFile(
  "/tmp/zzp3/kc",
  `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server.url}", certificate-authority-data: ${Buffer.from(ca.certPem).toString("base64")}}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`,
);
console.log("ready");
setTimeout(() => server.stop(), 15000);
