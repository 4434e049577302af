// Flux's Git deploy key: an ed25519 key pair in OpenSSH format, as the `identity`, `identity.pub` and
// `known_hosts` keys of the Secret Flux's GitRepository reads. node:crypto has ed25519 but no OpenSSH
// private-key encoder, so the (small, fixed) openssh-key-v1 layout is written here (PROTOCOL.key in OpenSSH).
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";

export interface DeployKey {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` … (unencrypted, as Flux expects). */
  readonly privateKey: string;
  /** `ssh-ed25519 AAAA… <comment>`: add it to the Git host as a deploy key. */
  readonly publicKey: string;
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** Encodes an ed25519 key pair (32-byte seed, 32-byte public key) as an OpenSSH private and public key. */
export function encodeOpenSshEd25519(seed: Buffer, publicKey: Buffer, comment: string): DeployKey {
  const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString("ssh-ed25519"),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padding = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: padding }, (_, index) => index + 1))]);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${publicBlob.toString("base64")} ${comment}`,
  };
}

/** A fresh ed25519 deploy key. */
export function generateDeployKey(comment: string): DeployKey {
  // From a random seed, not generateKeyPairSync: on Node 20 exporting a just-generated key can deadlock
  // the thread when a garbage collection finalises the key-generation job during the export (it hung
  // kubeforge-sops in CI). Node derives the public half from `d`; the `x` its JWK import needs is unused.
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: Buffer.alloc(32).toString("base64url") },
    format: "jwk",
  });
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x ?? "", "base64url");
  return encodeOpenSshEd25519(seed, raw, comment);
}

// Host keys of the big Git hosts (published by GitHub and GitLab), so init works offline for them.
const KNOWN_HOSTS: Record<string, string> = {
  "github.com": "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  "gitlab.com": "gitlab.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf",
};

/** The known_hosts line of a well-known Git host, or undefined (then the user passes --known-hosts). */
export function knownHostsFor(host: string): string | undefined {
  return KNOWN_HOSTS[host.toLowerCase()];
}

/** Normalises `git@host:owner/repo.git` to `ssh://git@host/owner/repo.git`; other URLs pass unchanged. */
export function normaliseGitUrl(url: string): string {
  const scp = /^([\w.-]+)@([\w.-]+):(?!\/)(.+)$/.exec(url.trim());
  return scp ? `ssh://${scp[1]}@${scp[2]}/${scp[3]}` : url.trim();
}

/** Host (and port, when not 22) of an ssh:// Git URL, as known_hosts names it. */
export function sshHostOf(url: string): string | undefined {
  if (!url.startsWith("ssh://")) return undefined;
  const { hostname, port } = new URL(url);
  return port && port !== "22" ? `[${hostname}]:${port}` : hostname;
}

/** The Secret Flux's GitRepository `flux-system` reads (plaintext; the caller encrypts it). */
export function renderDeployKeySecret(key: DeployKey, knownHosts: string): string {
  const indent = (text: string) =>
    text
      .trimEnd()
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n");
  return `apiVersion: v1
kind: Secret
metadata:
  name: flux-system
  namespace: flux-system
type: Opaque
stringData:
  identity: |
${indent(key.privateKey)}
  identity.pub: ${key.publicKey}
  known_hosts: |
${indent(knownHosts)}
`;
}
