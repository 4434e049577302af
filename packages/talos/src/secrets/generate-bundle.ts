// Mints a new secrets bundle: only ever called by an explicit `gen secrets`, never implicitly.
import { generateKeyPair, randomBytes, randomInt } from "node:crypto";
import { promisify } from "node:util";
import type { SecretsBundle } from "./bundle.js";
import { encodePem, exportTalosKey } from "./pem.js";
import { createCertificateAuthority } from "./pki.js";

const TOKEN_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomToken(length: number): string {
  let out = "";
  for (let index = 0; index < length; index++) out += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return out;
}

/** The kubeadm bootstrap-token shape Talos uses for both tokens: `[a-z0-9]{6}.[a-z0-9]{16}`. */
export function generateToken(): string {
  return `${randomToken(6)}.${randomToken(16)}`;
}

export interface GenerateBundleOptions {
  /** Talos version the bundle is for; decides the cluster id encoding (URL-safe up to 1.13). */
  readonly talosVersion: string;
  /** @default new Date() */
  readonly now?: Date;
}

function minorOf(version: string): number {
  const match = /^v?1\.(\d+)/.exec(version);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** The cluster id as talosctl writes it: up to 1.13 URL-safe base64 with padding, from 1.14 standard base64. */
export function encodeClusterId(bytes: Buffer, talosVersion: string): string {
  // Talos treats the id as opaque either way; matching talosctl keeps a kubeforge bundle byte-compatible.
  const standard = bytes.toString("base64");
  return minorOf(talosVersion) <= 13 ? standard.replaceAll("+", "-").replaceAll("/", "_") : standard;
}

export async function generateBundle(options: GenerateBundleOptions): Promise<SecretsBundle> {
  const now = options.now ?? new Date();
  const id = encodeClusterId(randomBytes(32), options.talosVersion);
  // RSA-4096 takes a second or more: generated off the main thread, alongside the CAs.
  const serviceAccount = promisify(generateKeyPair)("rsa", { modulusLength: 4096 });
  const [etcd, k8s, k8saggregator, os] = await Promise.all([
    createCertificateAuthority({ algorithm: "ecdsa-p256", organization: "etcd", now }),
    createCertificateAuthority({ algorithm: "ecdsa-p256", organization: "kubernetes", now }),
    createCertificateAuthority({ algorithm: "ecdsa-p256", now }),
    createCertificateAuthority({ algorithm: "ed25519", organization: "talos", now }),
  ]);
  const { privateKey } = await serviceAccount;
  const pair = (ca: { crt: string; key: string }) => ({ crt: encodePem(ca.crt), key: encodePem(ca.key) });
  return {
    cluster: { id, secret: randomBytes(32).toString("base64") },
    secrets: {
      bootstraptoken: generateToken(),
      secretboxencryptionsecret: randomBytes(32).toString("base64"),
    },
    trustdinfo: { token: generateToken() },
    certs: {
      etcd: pair(etcd),
      k8s: pair(k8s),
      k8saggregator: pair(k8saggregator),
      k8sserviceaccount: { key: encodePem(exportTalosKey(privateKey)) },
      os: pair(os),
    },
  };
}
