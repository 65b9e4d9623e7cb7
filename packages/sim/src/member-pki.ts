import { join } from "node:path";
import { type CertificateAndKey, loadOrCreateServingPki } from "@atoll/apiserver";
import { addressPlan } from "./network/address-plan.ts";

/**
 * A member's CA and serving certificate, kept in DATA_DIR/pki: created on
 * first use, read after. A launcher (`atoll up`) calls it before starting the
 * member so that the member process only reads them: creating certificates
 * loads pkijs, which would stay in the member's memory (~5 MiB) for nothing.
 */
export function loadOrCreateMemberPki(
  dataDir: string,
  member: { name: string; id: number; now: Date },
): Promise<{ ca: CertificateAndKey; serving: CertificateAndKey }> {
  const apiServer = addressPlan(member.id).apiServer;
  return loadOrCreateServingPki(join(dataDir, "pki"), {
    commonName: member.name,
    hosts: [apiServer, "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
    now: member.now,
  });
}
