// X.509 certificate authorities and leaf certificates the way Talos makes them (siderolabs/crypto).
import "reflect-metadata";
import { KeyObject, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { exportTalosKey, importTalosKey } from "./pem.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type KeyAlgorithm = "ecdsa-p256" | "ed25519";

/** A certificate and its private key, both as PEM text (keys with Talos' PEM labels). */
export interface CertificateAndKey {
  readonly crt: string;
  readonly key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const ALGORITHMS: Record<
  KeyAlgorithm,
  { generate: webcrypto.EcKeyGenParams | webcrypto.Algorithm; sign: webcrypto.Algorithm | webcrypto.EcdsaParams }
> = {
  "ecdsa-p256": {
    generate: { name: "ECDSA", namedCurve: "P-256" } as webcrypto.EcKeyGenParams,
    sign: { name: "ECDSA", hash: "SHA-256" } as webcrypto.EcdsaParams,
  },
  ed25519: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};

/** A positive 128-bit serial, as Go's crypto/x509 users pick them. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

async function generateKeys(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[algorithm].generate, true, [
    "sign",
    "verify",
  ])) as unknown as CryptoKeyPair;
}

function exportKey(privateKey: CryptoKey): string {
  return exportTalosKey(KeyObject.from(privateKey));
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ecdsa-p256";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new Error(
    `unsupported CA key type ${key.asymmetricKeyType}${curve ? ` ${curve}` : ""}: Talos CAs are ECDSA P-256 or Ed25519`,
  );
}

async function importSigningKey(pem: string): Promise<{ key: CryptoKey; algorithm: KeyAlgorithm }> {
  const keyObject = importTalosKey(pem);
  const algorithm = keyAlgorithmOf(keyObject);
  const der = keyObject.export({ type: "pkcs8", format: "der" });
  const key = (await webcrypto.subtle.importKey(
    "pkcs8",
    der,
    ALGORITHMS[algorithm].generate as webcrypto.EcKeyImportParams,
    false,
    ["sign"],
  )) as unknown as CryptoKey;
  return { key, algorithm };
}

export interface CreateCaOptions {
  readonly algorithm: KeyAlgorithm;
  /** Subject organisation; Talos leaves the aggregator CA's subject empty. */
  readonly organization?: string;
  /** @default 3650 (ten years, as talosctl) */
  readonly validityDays?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** A self-signed CA: KeyUsage digitalSignature+certSign (critical), EKU serverAuth+clientAuth. */
export async function createCertificateAuthority(options: CreateCaOptions): Promise<CertificateAndKey> {
  const now = options.now ?? new Date();
  const keys = await generateKeys(options.algorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: options.organization ? [{ O: [options.organization] }] : [],
    notBefore: now,
    notAfter: new Date(now.getTime() + (options.validityDays ?? 3650) * DAY_MS),
    signingAlgorithm: ALGORITHMS[options.algorithm].sign,
    keys,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectKeyIdentifierExtension(randomBytes(20).toString("hex")),
    ],
  });
  // PEM text ends with a newline, or concatenated PEMs (CA bundles, talosconfig) do not parse.
  return { crt: `${cert.toString("pem").trimEnd()}\n`, key: exportKey(keys.privateKey) };
}

/** Points at the CA's own subject key id (Talos' CAs use a random one, not a hash of the key). */
async function authorityKeyIdentifier(ca: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const subjectKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return subjectKeyId
    ? new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId)
    : x509.AuthorityKeyIdentifierExtension.create(ca.publicKey);
}

export type ExtendedKeyUsage = "serverAuth" | "clientAuth";

export interface IssueCertificateOptions {
  /** The issuing CA (PEM certificate and key). */
  readonly ca: CertificateAndKey;
  readonly commonName?: string;
  readonly organizations?: readonly string[];
  /** Exactly these extended key usages, in this order. */
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** @default 365 */
  readonly validityDays?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** A leaf certificate signed by `ca`, with a fresh key of the CA's algorithm (as Talos does). */
export async function issueCertificate(options: IssueCertificateOptions): Promise<CertificateAndKey> {
  const now = options.now ?? new Date();
  const ca = new x509.X509Certificate(options.ca.crt);
  const signer = await importSigningKey(options.ca.key);
  const keys = await generateKeys(signer.algorithm);
  const subject: Record<string, string[]>[] = [];
  if (options.organizations?.length) subject.push({ O: [...options.organizations] });
  if (options.commonName) subject.push({ CN: [options.commonName] });
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  const usages = options.extendedKeyUsages.map((usage) => x509.ExtendedKeyUsage[usage]);
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature |
        (signer.algorithm === "ecdsa-p256" && options.extendedKeyUsages.includes("serverAuth")
          ? x509.KeyUsageFlags.keyEncipherment
          : 0),
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages),
    new x509.BasicConstraintsExtension(false, undefined, true),
    await authorityKeyIdentifier(ca),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    // The CA's subject bytes as they are, so string types (PrintableString in Go-made CAs) match exactly.
    issuer: ca.subjectName,
    notBefore: now,
    notAfter: new Date(now.getTime() + (options.validityDays ?? 365) * DAY_MS),
    signingAlgorithm: ALGORITHMS[signer.algorithm].sign,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions,
  });
  // PEM text ends with a newline, or concatenated PEMs (CA bundles, talosconfig) do not parse.
  return { crt: `${cert.toString("pem").trimEnd()}\n`, key: exportKey(keys.privateKey) };
}
