// A new bundle: tokens, cluster id encoding per Talos line, and CAs that all start at the given time.
import "reflect-metadata";
import { X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { encodeClusterId, generateBundle, generateToken } from "./generate-bundle.js";
import { decodePem, importTalosKey } from "./pem.js";
import { bundleCa, checkBundleKeys } from "./read-bundle.js";

const NOW = new Date("2026-03-01T12:00:00Z");

describe("encodeClusterId", () => {
  // 0xfb 0xff 0xbf encodes to "+/+/" in standard base64 and "-_-_" URL-safe.
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf, 0x00]);

  it.each([
    ["v1.12.11", "-_-_-_-_AA=="],
    ["v1.13.9", "-_-_-_-_AA=="],
    ["1.13.0", "-_-_-_-_AA=="],
    ["v1.9.5", "-_-_-_-_AA=="],
    ["v1.14.0", "+/+/+/+/AA=="],
    ["1.14.0-alpha.1", "+/+/+/+/AA=="],
    ["v1.20.0", "+/+/+/+/AA=="],
    ["v2.0.0", "+/+/+/+/AA=="],
    ["main", "+/+/+/+/AA=="],
  ])("for Talos %s it is %s (URL-safe with padding up to 1.13, as talosctl)", (version, want) => {
    expect(encodeClusterId(bytes, version)).toBe(want);
  });
});

describe("generateToken", () => {
  it("makes distinct [a-z0-9]{6}.[a-z0-9]{16} tokens from the whole alphabet", () => {
    const tokens = Array.from({ length: 200 }, () => generateToken());
    for (const token of tokens) expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    // 200 × 22 draws from 36 characters: each one appears (a miss has probability below 1e-50).
    expect(new Set(tokens.join("").replaceAll(".", "")).size).toBe(36);
  });
});

describe("generateBundle", () => {
  // Talos' CAs (siderolabs/crypto via talosctl gen secrets): algorithm, subject and PEM label per CA.
  const TALOS_CAS = {
    etcd: { type: "ec", subject: "O=etcd", label: "EC PRIVATE KEY" },
    k8s: { type: "ec", subject: "O=kubernetes", label: "EC PRIVATE KEY" },
    k8saggregator: { type: "ec", subject: "", label: "EC PRIVATE KEY" },
    os: { type: "ed25519", subject: "O=talos", label: "ED25519 PRIVATE KEY" },
  } as const;

  // One bundle, generated inside the test (not in a hook) so mutation testing attributes the code to it.
  it("makes Talos' four ten-year CAs from the given time, an RSA-4096 service-account key and 32-byte secrets", async () => {
    const bundle = await generateBundle({ talosVersion: "v1.14.0", now: NOW });
    const serials = new Set<string>();
    for (const [name, want] of Object.entries(TALOS_CAS)) {
      const { crt, key } = bundleCa(bundle, name as keyof typeof TALOS_CAS);
      const cert = new X509Certificate(crt);
      expect(cert.ca, name).toBe(true);
      expect(cert.subject ?? "", name).toBe(want.subject);
      expect(cert.issuer ?? "", name).toBe(want.subject);
      expect(cert.verify(cert.publicKey), name).toBe(true);
      expect(cert.publicKey.asymmetricKeyType, name).toBe(want.type);
      if (want.type === "ec") expect(cert.publicKey.asymmetricKeyDetails?.namedCurve, name).toBe("prime256v1");
      expect(key, name).toMatch(new RegExp(`^-----BEGIN ${want.label}-----\n`));
      expect(cert.checkPrivateKey(importTalosKey(key)), name).toBe(true);
      expect(Date.parse(cert.validFrom), name).toBe(NOW.getTime());
      expect(Date.parse(cert.validTo), name).toBe(NOW.getTime() + 3650 * 24 * 60 * 60 * 1000);
      expect(cert.keyUsage, name).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
      const parsed = new x509.X509Certificate(crt);
      expect(parsed.getExtension(x509.KeyUsagesExtension)?.usages, name).toBe(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
      );
      expect(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId, name).toMatch(/^[0-9a-f]{40}$/);
      serials.add(cert.serialNumber);
    }
    expect(serials.size).toBe(4);
    const serviceAccount = decodePem(bundle.certs.k8sserviceaccount.key);
    expect(serviceAccount).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(importTalosKey(serviceAccount).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(bundle.cluster.id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(bundle.cluster.id, "base64")).toHaveLength(32);
    expect(Buffer.from(bundle.cluster.secret, "base64")).toHaveLength(32);
    expect(Buffer.from(bundle.secrets.secretboxencryptionsecret ?? "", "base64")).toHaveLength(32);
    expect(bundle.secrets.aescbcencryptionsecret).toBeUndefined();
    expect(new Set([bundle.cluster.id, bundle.cluster.secret, bundle.secrets.secretboxencryptionsecret]).size).toBe(3);
    expect(bundle.secrets.bootstraptoken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(bundle.trustdinfo.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(bundle.trustdinfo.token).not.toBe(bundle.secrets.bootstraptoken);
    expect(checkBundleKeys(bundle)).toEqual([]);
  }, 120_000);
});
