import { X509Certificate } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { loadOrCreateServingPki } from "@atoll/apiserver";
import { addressPlan } from "../src/network/address-plan.ts";

const MAX_TRIES = 10;

/**
 * Writes a CA and serving certificate that OpenSSL accepts into a member's
 * `<dataDir>/pki`, as the member would create them (same names and hosts as
 * `SimMember.start`), so the member loads them instead of generating its own.
 *
 * Only for the retry after a failed start: about 1 certificate in 256 that
 * Atoll generates has a serial number OpenSSL rejects ("illegal padding"),
 * which ends the whole process; this lets the benchmark still measure memory
 * at that member count. The failed first attempt stays in the report.
 */
export async function seedValidPki(dataDir: string, name: string, id: number): Promise<void> {
  const dir = join(dataDir, "pki");
  const hosts = [
    addressPlan(id).apiServer,
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
  ];
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const { ca, serving } = await loadOrCreateServingPki(dir, { commonName: name, hosts, now: new Date() });
    if (parses(ca.certPem) && parses(serving.certPem)) return;
    await rm(dir, { recursive: true, force: true });
  }
  throw new Error(`no valid certificates for ${name} after ${MAX_TRIES} tries`);
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
