// Certificate fields that decide whether Talos, etcd and kube-apiserver accept what kubeforge issues: critical
// constraints, the signing algorithm, the authority key id, key types, serials and PEM framing.
import "reflect-metadata";
import { generateKeyPairSync, KeyObject, webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { exportTalosKey, importTalosKey } from "./pem.js";
import { type CertificateAndKey, createCertificateAuthority, issueCertificate, keyAlgorithmOf } from "./pki.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const parse = (pem: string) => new x509.X509Certificate(pem);

describe("createCertificateAuthority", () => {
  it.each(["ecdsa-p256", "ed25519"] as const)(
    "%s: key usage and basic constraints are critical, EKU is not",
    async (algorithm) => {
      const ca = parse((await createCertificateAuthority({ algorithm, organization: "etcd", now: NOW })).crt);
      expect(ca.getExtension(x509.KeyUsagesExtension)?.critical).toBe(true);
      const constraints = ca.getExtension(x509.BasicConstraintsExtension);
      expect(constraints).toMatchObject({ ca: true, critical: true });
      expect(constraints?.pathLength).toBeUndefined();
      expect(ca.getExtension(x509.ExtendedKeyUsageExtension)).toMatchObject({
        critical: false,
        usages: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
      });
      expect(ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
      expect(ca.notBefore.getTime()).toBe(NOW.getTime());
    },
  );

  it("signs ECDSA CAs with SHA-256 on P-256 and Ed25519 CAs with Ed25519", async () => {
    const ecdsa = await createCertificateAuthority({ algorithm: "ecdsa-p256", now: NOW });
    const ed = await createCertificateAuthority({ algorithm: "ed25519", now: NOW });
    expect(parse(ecdsa.crt).signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: "SHA-256" } });
    expect(new X509Certificate(ecdsa.crt).publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(ecdsa.key).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(parse(ed.crt).signatureAlgorithm).toMatchObject({ name: "Ed25519" });
    expect(ed.key).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----\n/);
  });

  it("ends the PEM with exactly one newline, so concatenated PEMs parse", async () => {
    const ca = await createCertificateAuthority({ algorithm: "ed25519", now: NOW });
    expect(ca.crt).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]*[^\n]\n-----END CERTIFICATE-----\n$/);
    const leaf = await issueCertificate({ ca, extendedKeyUsages: ["clientAuth"], now: NOW });
    expect(leaf.crt).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]*[^\n]\n-----END CERTIFICATE-----\n$/);
  });
});

describe("issueCertificate", () => {
  it.each(["ecdsa-p256", "ed25519"] as const)(
    "%s: a leaf with a fresh key of the CA's algorithm, critical non-CA constraints, AKI = the CA's key id",
    async (algorithm) => {
      const ca = await createCertificateAuthority({ algorithm, now: NOW });
      const issued = await issueCertificate({ ca, commonName: "leaf", extendedKeyUsages: ["serverAuth"], now: NOW });
      const leaf = parse(issued.crt);
      const caCert = parse(ca.crt);
      const constraints = leaf.getExtension(x509.BasicConstraintsExtension);
      expect(constraints).toMatchObject({ ca: false, critical: true });
      expect(leaf.getExtension(x509.KeyUsagesExtension)?.critical).toBe(true);
      expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
        caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
      );
      expect(leaf.signatureAlgorithm).toEqual(caCert.signatureAlgorithm);
      expect(leaf.notBefore.getTime()).toBe(NOW.getTime());
      const node = new X509Certificate(issued.crt);
      expect(node.verify(new X509Certificate(ca.crt).publicKey)).toBe(true);
      expect(node.publicKey.asymmetricKeyType).toBe(algorithm === "ed25519" ? "ed25519" : "ec");
      expect(node.checkPrivateKey(importTalosKey(issued.key))).toBe(true);
      expect(node.publicKey.equals(new X509Certificate(ca.crt).publicKey)).toBe(false);
    },
  );

  it("points the AKI at the CA's key hash when the CA has no subject key id", async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const bare = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "O=bare",
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 86_400_000),
      keys,
      signingAlgorithm: { name: "Ed25519" },
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const ca: CertificateAndKey = {
      crt: bare.toString("pem"),
      key: exportTalosKey(KeyObject.from(keys.privateKey)),
    };
    const leaf = parse((await issueCertificate({ ca, extendedKeyUsages: ["clientAuth"], now: NOW })).crt);
    const expected = await x509.SubjectKeyIdentifierExtension.create(bare.publicKey);
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(expected.keyId);
    expect(leaf.issuer).toBe("O=bare");
  });

  it("uses a positive serial of at most 128 bits, different every time", async () => {
    const ca = await createCertificateAuthority({ algorithm: "ed25519", now: NOW });
    const serials = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const issued = await issueCertificate({ ca, extendedKeyUsages: ["clientAuth"], now: NOW });
        return parse(issued.crt).serialNumber;
      }),
    );
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{1,32}$/);
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    }
    expect(new Set(serials).size).toBe(serials.length);
    // A 16-byte serial whose top bit is cleared keeps a non-zero first byte 127 times in 128.
    expect(serials.some((serial) => serial.length === 32 && !serial.startsWith("00"))).toBe(true);
  });

  it("refuses a CA key Talos does not use, naming its type", async () => {
    const ca = await createCertificateAuthority({ algorithm: "ecdsa-p256", now: NOW });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const refused = await issueCertificate({
      ca: { ...ca, key: exportTalosKey(rsa) },
      extendedKeyUsages: ["clientAuth"],
    }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/^unsupported CA key type rsa\b/);
    expect(refused).not.toContain("undefined");
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey;
    expect(() => keyAlgorithmOf(p384)).toThrow(/^unsupported CA key type ec secp384r1$/);
  });
});
