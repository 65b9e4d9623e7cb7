// Certificates built with pkijs; loaded by pki.ts only when one must be created.
import { randomBytes, webcrypto } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import type { CertificateAndKey } from "./pki.ts";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

function engine(): pkijs.CryptoEngine {
  return new pkijs.CryptoEngine({
    name: "node",
    crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]["crypto"],
  });
}

function name(target: pkijs.RelativeDistinguishedNames, commonName: string, organization?: string): void {
  target.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({
      type: OID.commonName,
      value: new asn1js.Utf8String({ value: commonName }),
    }),
  );
  if (organization) {
    target.typesAndValues.push(
      new pkijs.AttributeTypeAndValue({
        type: OID.organization,
        value: new asn1js.Utf8String({ value: organization }),
      }),
    );
  }
}

function extension(
  extnID: string,
  critical: boolean,
  value: { toSchema(): asn1js.BaseBlock },
): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toSchema().toBER(false) });
}

function pem(label: string, der: ArrayBuffer): string {
  const body =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g)
      ?.join("\n") ?? "";
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function unpem(text: string): ArrayBuffer {
  const body = text.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const bytes = Buffer.from(body, "base64");
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

type Signer = { subject: pkijs.RelativeDistinguishedNames; key: webcrypto.CryptoKey };

async function build(options: {
  commonName: string;
  organization?: string;
  issuer?: Signer;
  ca: boolean;
  ips?: readonly string[];
  dnsNames?: readonly string[];
  usages?: ReadonlyArray<"server" | "client">;
  now: Date;
  validDays: number;
}): Promise<CertificateAndKey> {
  const crypto = engine();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  // A positive DER integer with no leading zero byte: first byte 0x01–0x7f.
  serial[0] = (serial[0] & 0x7f) | 0x01;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  name(cert.subject, options.commonName, options.organization);
  if (options.issuer) cert.issuer = options.issuer.subject;
  else name(cert.issuer, options.commonName, options.organization);
  cert.notBefore.value = new Date(options.now.getTime() - 60 * 60 * 1000);
  cert.notAfter.value = new Date(options.now.getTime() + options.validDays * 24 * 60 * 60 * 1000);
  const extensions = [extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: options.ca }))];
  // keyUsage bits: digitalSignature (0x80), keyCertSign (0x04), cRLSign (0x02).
  const usageBits = options.ca ? 0x86 : 0x80;
  extensions.push(
    new pkijs.Extension({
      extnID: OID.keyUsage,
      critical: true,
      extnValue: new asn1js.BitString({ valueHex: new Uint8Array([usageBits]).buffer, unusedBits: 1 }).toBER(
        false,
      ),
    }),
  );
  if (options.usages && options.usages.length > 0) {
    const purposes = options.usages.map((u) => (u === "server" ? OID.serverAuth : OID.clientAuth));
    extensions.push(extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: purposes })));
  }
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...(options.ips ?? []).map(
      (ip) =>
        new pkijs.GeneralName({
          type: 7,
          value: new asn1js.OctetString({ valueHex: new Uint8Array(ip.split(".").map(Number)).buffer }),
        }),
    ),
  ];
  if (altNames.length > 0)
    extensions.push(extension(OID.subjectAltName, false, new pkijs.GeneralNames({ names: altNames })));
  cert.extensions = extensions;
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, crypto);
  await cert.sign(options.issuer?.key ?? keys.privateKey, "SHA-256", crypto);
  return {
    certPem: pem("CERTIFICATE", cert.toSchema(true).toBER(false)),
    keyPem: pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
  };
}

/** A self-signed certificate authority (ECDSA P-256, 10 years by default). */
export function createCertificateAuthority(options: {
  commonName: string;
  now: Date;
  validDays?: number;
}): Promise<CertificateAndKey> {
  return build({
    commonName: options.commonName,
    ca: true,
    now: options.now,
    validDays: options.validDays ?? 3650,
  });
}

/** A leaf certificate signed by `ca`, for serving (IP and DNS names) and/or client authentication. */
export async function issueCertificate(
  ca: CertificateAndKey,
  options: {
    commonName: string;
    organization?: string;
    ips?: readonly string[];
    dnsNames?: readonly string[];
    usages: ReadonlyArray<"server" | "client">;
    now: Date;
    validDays?: number;
  },
): Promise<CertificateAndKey> {
  const caCert = pkijs.Certificate.fromBER(unpem(ca.certPem));
  const key = await webcrypto.subtle.importKey("pkcs8", unpem(ca.keyPem), ALGORITHM, false, ["sign"]);
  return build({
    ...options,
    ca: false,
    issuer: { subject: caCert.subject, key },
    validDays: options.validDays ?? 3650,
  });
}
