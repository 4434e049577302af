// age's SSH recipients and identities (filippo.io/age/agessh) on node:crypto, because age-encryption
// (typage) has no SSH support. ssh-ed25519: X25519 on the Montgomery form of the Ed25519 key, tweaked
// by HKDF(salt = the SSH key blob); ssh-rsa: RSA-OAEP-SHA256 with label "age-encryption.org/v1/ssh-rsa".
// The stanza's first argument is the first 4 bytes of SHA-256(SSH key blob), base64 without padding.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  diffieHellman,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from "node:crypto";
import type { Identity, Recipient } from "age-encryption";
import { hkdfSha256 } from "./hkdf.js";
import { Stanza } from "./stanza.js";
import { ephemeralX25519, x25519PrivateKey, x25519PublicKey } from "./x25519.js";

const ED25519_LABEL = "age-encryption.org/v1/ssh-ed25519";
const RSA_LABEL = "age-encryption.org/v1/ssh-rsa";
const ZERO_NONCE = Buffer.alloc(12);
const P = 2n ** 255n - 19n;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const b64raw = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** SSH wire format reader (RFC 4251 strings, uint32, mpint). */
class Wire {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error("truncated SSH key");
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }
  bytes(): Buffer {
    const length = this.uint32();
    if (this.pos + length > this.buf.length) throw new Error("truncated SSH key");
    const value = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }
  text(): string {
    return this.bytes().toString("latin1");
  }
  /** mpint without its sign byte. */
  mpint(): Buffer {
    const value = this.bytes();
    return value[0] === 0 ? value.subarray(1) : value;
  }
}

function fingerprint(blob: Uint8Array): string {
  return b64raw(createHash("sha256").update(blob).digest().subarray(0, 4));
}

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** Ed25519 public key → X25519 u-coordinate: u = (1 + y) / (1 − y) mod p (edwards25519 BytesMontgomery). */
function montgomery(ed: Uint8Array): Buffer {
  const le = Buffer.from(ed);
  le[31]! &= 0x7f;
  const y = BigInt(`0x${Buffer.from(le).reverse().toString("hex")}`);
  if (y >= P) throw new Error("invalid Ed25519 public key");
  const u = ((1n + y) * modPow((1n - y + P) % P, P - 2n)) % P;
  return Buffer.from(u.toString(16).padStart(64, "0"), "hex").reverse();
}

function x25519(scalar: Uint8Array, point: Uint8Array): Buffer {
  return diffieHellman({ privateKey: x25519PrivateKey(scalar), publicKey: x25519PublicKey(point) });
}

function tweakOf(blob: Uint8Array): Buffer {
  return hkdfSha256(Buffer.alloc(0), blob, ED25519_LABEL);
}

function wrappingKey(shared: Uint8Array, ephemeral: Uint8Array, theirs: Uint8Array): Buffer {
  return hkdfSha256(shared, Buffer.concat([ephemeral, theirs]), ED25519_LABEL);
}

function seal(key: Uint8Array, fileKey: Uint8Array): Buffer {
  const cipher = createCipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Uint8Array, body: Uint8Array): Uint8Array | null {
  if (body.length !== 32) return null;
  try {
    const decipher = createDecipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
    decipher.setAuthTag(body.subarray(16));
    return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, 16)), decipher.final()]));
  } catch {
    return null;
  }
}

function rsaPublicFromBlob(blob: Buffer): KeyObject {
  const wire = new Wire(blob);
  wire.text();
  const e = wire.mpint();
  const n = wire.mpint();
  if (n.length * 8 < 2048) throw new Error("ssh-rsa keys must be at least 2048 bits (age refuses smaller ones)");
  return createPublicKey({ key: { kty: "RSA", n: b64url(n), e: b64url(e) }, format: "jwk" });
}

/** An `ssh-ed25519 …` or `ssh-rsa …` recipient line (authorized_keys format); undefined for others. */
export function sshRecipient(text: string): Recipient | undefined {
  const [type, data] = text.trim().split(/\s+/);
  if ((type !== "ssh-ed25519" && type !== "ssh-rsa") || !data) return undefined;
  const blob = Buffer.from(data, "base64");
  const wire = new Wire(blob);
  if (wire.text() !== type) throw new Error(`malformed ${type} public key`);
  const tag = fingerprint(blob);
  if (type === "ssh-rsa") {
    const key = rsaPublicFromBlob(blob);
    return {
      wrapFileKey: (fileKey) => [
        new Stanza(
          ["ssh-rsa", tag],
          publicEncrypt(
            {
              key,
              padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING,
              oaepHash: "sha256",
              oaepLabel: Buffer.from(RSA_LABEL),
            },
            fileKey,
          ),
        ),
      ],
    };
  }
  const ed = wire.bytes();
  if (ed.length !== 32) throw new Error("malformed ssh-ed25519 public key");
  const theirs = montgomery(ed);
  const tweak = tweakOf(blob);
  return {
    wrapFileKey(fileKey) {
      // not generateKeyPairSync: see ephemeralX25519
      const { privateKey, share: ours } = ephemeralX25519();
      const shared = x25519(tweak, diffieHellman({ privateKey, publicKey: x25519PublicKey(theirs) }));
      return [new Stanza(["ssh-ed25519", tag, b64raw(ours)], seal(wrappingKey(shared, ours, theirs), fileKey))];
    },
  };
}

export class SshKeyError extends Error {}

/** Parses an unencrypted OpenSSH, PKCS#1 or PKCS#8 private key into an age identity. */
export function sshIdentity(pem: string): Identity {
  if (pem.includes("BEGIN OPENSSH PRIVATE KEY")) return openSshIdentity(pem);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new SshKeyError(`not a readable SSH private key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new SshKeyError(`unsupported SSH key type ${key.asymmetricKeyType}`);
  return rsaIdentity(key);
}

function openSshIdentity(pem: string): Identity {
  const body = pem.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, "").replace(/\s+/g, "");
  const blob = Buffer.from(body, "base64");
  const magic = "openssh-key-v1\0";
  if (blob.subarray(0, magic.length).toString("latin1") !== magic) throw new SshKeyError("not an OpenSSH private key");
  const wire = new Wire(blob.subarray(magic.length));
  const cipher = wire.text();
  wire.text(); // kdf name
  wire.bytes(); // kdf options
  if (cipher !== "none") {
    throw new SshKeyError("the SSH key is passphrase-protected, which kubeforge-sops cannot prompt for");
  }
  if (wire.uint32() !== 1) throw new SshKeyError("OpenSSH key files with several keys are not supported");
  const publicBlob = wire.bytes();
  const secret = new Wire(wire.bytes());
  const check = secret.uint32();
  if (check !== secret.uint32()) throw new SshKeyError("corrupt OpenSSH private key (check bytes differ)");
  const type = secret.text();
  if (type === "ssh-ed25519") {
    const pub = secret.bytes();
    const priv = secret.bytes();
    const scalar = createHash("sha512").update(priv.subarray(0, 32)).digest().subarray(0, 32);
    return ed25519Identity(publicBlob, montgomery(pub), scalar);
  }
  if (type === "ssh-rsa") {
    const n = secret.mpint();
    const e = secret.mpint();
    const d = secret.mpint();
    const qi = secret.mpint();
    const p = secret.mpint();
    const q = secret.mpint();
    const big = (b: Buffer) => BigInt(`0x${b.toString("hex") || "0"}`);
    const bytes = (v: bigint) => {
      const hex = v.toString(16);
      return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
    };
    const dp = bytes(big(d) % (big(p) - 1n));
    const dq = bytes(big(d) % (big(q) - 1n));
    const key = createPrivateKey({
      key: {
        kty: "RSA",
        n: b64url(n),
        e: b64url(e),
        d: b64url(d),
        p: b64url(p),
        q: b64url(q),
        dp: b64url(dp),
        dq: b64url(dq),
        qi: b64url(qi),
      },
      format: "jwk",
    });
    return rsaIdentity(key, publicBlob);
  }
  throw new SshKeyError(`unsupported SSH key type ${type} (age supports ssh-ed25519 and ssh-rsa)`);
}

function ed25519Identity(blob: Uint8Array, ours: Uint8Array, scalar: Uint8Array): Identity {
  const tag = fingerprint(blob);
  const tweak = tweakOf(blob);
  return {
    unwrapFileKey(stanzas) {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== "ssh-ed25519" || stanza.args[1] !== tag || stanza.args.length !== 3) continue;
        const ephemeral = Buffer.from(stanza.args[2]!, "base64");
        if (ephemeral.length !== 32) continue;
        let shared: Buffer;
        try {
          shared = x25519(tweak, x25519(scalar, ephemeral));
        } catch {
          continue;
        }
        const fileKey = open(wrappingKey(shared, ephemeral, ours), stanza.body);
        if (fileKey) return fileKey;
      }
      return null;
    },
  };
}

function rsaIdentity(key: KeyObject, blob?: Uint8Array): Identity {
  const jwk = key.export({ format: "jwk" });
  const mpint = (b64: string) => {
    const raw = Buffer.from(b64, "base64url");
    return raw[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), raw]) : raw;
  };
  const str = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const publicBlob =
    blob ?? Buffer.concat([str(Buffer.from("ssh-rsa")), str(mpint(jwk.e as string)), str(mpint(jwk.n as string))]);
  const tag = fingerprint(publicBlob);
  return {
    unwrapFileKey(stanzas) {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== "ssh-rsa" || stanza.args[1] !== tag) continue;
        try {
          return new Uint8Array(
            privateDecrypt(
              {
                key,
                padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING,
                oaepHash: "sha256",
                oaepLabel: Buffer.from(RSA_LABEL),
              },
              stanza.body,
            ),
          );
        } catch {
          // not for this key
        }
      }
      return null;
    },
  };
}
