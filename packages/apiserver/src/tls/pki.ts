import { mkdir, readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";

/** A certificate and its private key, PEM-encoded. */
export type CertificateAndKey = { certPem: string; keyPem: string };

/**
 * The certificate builder, loaded on first use: pkijs and asn1js cost about
 * 4 MiB of memory in every process that imports them, and an API server that
 * restarts reads its certificates instead of creating them.
 */
function builder(): Promise<typeof import("./certificate-builder.ts")> {
  return import("./certificate-builder.ts");
}

/** A self-signed certificate authority (ECDSA P-256, 10 years by default). */
export async function createCertificateAuthority(options: {
  commonName: string;
  now: Date;
  validDays?: number;
}): Promise<CertificateAndKey> {
  return (await builder()).createCertificateAuthority(options);
}

/** A leaf certificate signed by `ca`, for serving (IP and DNS names) and/or client authentication. */
export async function issueCertificate(
  ca: CertificateAndKey,
  options: Parameters<typeof import("./certificate-builder.ts").issueCertificate>[1],
): Promise<CertificateAndKey> {
  return (await builder()).issueCertificate(ca, options);
}

/**
 * The CA and serving certificate kept under `dir` (`ca.crt`, `ca.key`,
 * `serving.crt`, `serving.key`): created on first use, reused after; the
 * serving certificate is reissued when the wanted names change.
 */
export async function loadOrCreateServingPki(
  dir: string,
  options: { commonName: string; hosts: readonly string[]; now: Date },
): Promise<{ ca: CertificateAndKey; serving: CertificateAndKey }> {
  await mkdir(dir, { recursive: true });
  const read = async (base: string): Promise<CertificateAndKey | undefined> => {
    try {
      return {
        certPem: await readFile(join(dir, `${base}.crt`), "utf8"),
        keyPem: await readFile(join(dir, `${base}.key`), "utf8"),
      };
    } catch {
      return undefined;
    }
  };
  const write = async (base: string, pair: CertificateAndKey) => {
    await writeFile(join(dir, `${base}.crt`), pair.certPem);
    await writeFile(join(dir, `${base}.key`), pair.keyPem, { mode: 0o600 });
  };
  let ca = await read("ca");
  if (!ca) {
    ca = await createCertificateAuthority({ commonName: `${options.commonName}-ca`, now: options.now });
    await write("ca", ca);
  }
  const hostsFile = join(dir, "serving.hosts");
  const wanted = [...options.hosts].sort().join(",");
  let serving = await read("serving");
  const previousHosts = await readFile(hostsFile, "utf8").catch(() => "");
  if (!serving || previousHosts !== wanted) {
    serving = await issueCertificate(ca, {
      commonName: options.commonName,
      ips: options.hosts.filter((h) => isIP(h) === 4),
      dnsNames: options.hosts.filter((h) => isIP(h) === 0),
      usages: ["server"],
      now: options.now,
    });
    await write("serving", serving);
    await writeFile(hostsFile, wanted);
  }
  return { ca, serving };
}
