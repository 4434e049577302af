// The Talos PKI stated field by field (validity, usages, issuer), each case written to kill a mutant that
// survived the earlier suite (`pnpm mutation talos-pki`), e.g. the etcd client certificate living 3650 days.
import "reflect-metadata";
import { X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import type { SecretsBundle } from "./bundle.js";
import { issueEtcdClientCertificate } from "./etcd-client.js";
import { decodePem } from "./pem.js";
import { createCertificateAuthority, issueCertificate } from "./pki.js";
import { bundleCa } from "./read-bundle.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-03-01T12:00:00Z");

let bundle: SecretsBundle;
beforeAll(async () => {
  bundle = await testBundle();
}, 120_000);

const lifetimeMs = (pem: string) => {
  const cert = new X509Certificate(pem);
  return Date.parse(cert.validTo) - Date.parse(cert.validFrom);
};
const keyUsages = (pem: string) => new x509.X509Certificate(pem).getExtension(x509.KeyUsagesExtension)?.usages;
const extendedKeyUsages = (pem: string) => new X509Certificate(pem).keyUsage;

describe("etcd client certificate", () => {
  it("lives one day by default, from now", async () => {
    const issued = await issueEtcdClientCertificate(bundle, { now: NOW });
    const cert = new X509Certificate(issued.crt);
    expect(Date.parse(cert.validFrom)).toBe(NOW.getTime());
    expect(lifetimeMs(issued.crt)).toBe(DAY_MS);
  });

  it("is a client-only leaf named kubeforge, signed by the bundle's etcd CA, returned with that CA", async () => {
    const issued = await issueEtcdClientCertificate(bundle, { now: NOW });
    const cert = new X509Certificate(issued.crt);
    const etcdCa = new X509Certificate(decodePem(bundle.certs.etcd.crt));
    expect(cert.subject).toBe("CN=kubeforge");
    expect(extendedKeyUsages(issued.crt)).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(etcdCa)).toBe(true);
    expect(cert.verify(etcdCa.publicKey)).toBe(true);
    expect(issued.ca).toBe(decodePem(bundle.certs.etcd.crt));
    const otherCa = new X509Certificate(decodePem(bundle.certs.os.crt));
    expect(cert.verify(otherCa.publicKey)).toBe(false);
  });

  it("takes a name and a validity", async () => {
    const issued = await issueEtcdClientCertificate(bundle, { now: NOW, commonName: "gate", validityDays: 2 });
    expect(new X509Certificate(issued.crt).subject).toBe("CN=gate");
    expect(lifetimeMs(issued.crt)).toBe(2 * DAY_MS);
  });
});

describe("issueCertificate", () => {
  it("defaults to 365 days; subject has O before CN; SANs for DNS names and IPs", async () => {
    const issued = await issueCertificate({
      ca: bundleCa(bundle, "k8s"),
      commonName: "node-1",
      organizations: ["system:nodes"],
      extendedKeyUsages: ["serverAuth", "clientAuth"],
      dnsNames: ["node-1"],
      ipAddresses: ["192.168.1.101"],
      now: NOW,
    });
    const cert = new X509Certificate(issued.crt);
    expect(lifetimeMs(issued.crt)).toBe(365 * DAY_MS);
    expect(cert.subject).toBe("O=system:nodes\nCN=node-1");
    expect(cert.subjectAltName).toBe("DNS:node-1, IP Address:192.168.1.101");
    expect(extendedKeyUsages(issued.crt)).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    expect(cert.issuer).toBe(new X509Certificate(decodePem(bundle.certs.k8s.crt)).subject);
  });

  it("ECDSA server certificates add keyEncipherment; client-only and Ed25519 ones do not", async () => {
    const ecdsaCa = await createCertificateAuthority({ algorithm: "ecdsa-p256", now: NOW });
    const edCa = await createCertificateAuthority({ algorithm: "ed25519", now: NOW });
    const leaf = (ca: typeof ecdsaCa, usages: ("serverAuth" | "clientAuth")[]) =>
      issueCertificate({ ca, extendedKeyUsages: usages, now: NOW });
    const sign = x509.KeyUsageFlags.digitalSignature;
    const encipher = x509.KeyUsageFlags.keyEncipherment;
    expect(keyUsages((await leaf(ecdsaCa, ["serverAuth"])).crt)).toBe(sign | encipher);
    expect(keyUsages((await leaf(ecdsaCa, ["clientAuth"])).crt)).toBe(sign);
    expect(keyUsages((await leaf(edCa, ["serverAuth"])).crt)).toBe(sign);
  });

  it("no SAN extension and an empty subject when none are given", async () => {
    const issued = await issueCertificate({ ca: bundleCa(bundle, "os"), extendedKeyUsages: ["clientAuth"], now: NOW });
    const cert = new X509Certificate(issued.crt);
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.subject ?? "").toBe("");
  });
});

describe("createCertificateAuthority", () => {
  it("lives 3650 days by default, is a CA that may sign, and carries the organisation", async () => {
    const ca = await createCertificateAuthority({ algorithm: "ecdsa-p256", organization: "talos", now: NOW });
    const cert = new X509Certificate(ca.crt);
    expect(lifetimeMs(ca.crt)).toBe(3650 * DAY_MS);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe("O=talos");
    expect(keyUsages(ca.crt)).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it("takes a validity; no organisation means an empty subject", async () => {
    const ca = await createCertificateAuthority({ algorithm: "ed25519", validityDays: 10, now: NOW });
    expect(lifetimeMs(ca.crt)).toBe(10 * DAY_MS);
    expect(new X509Certificate(ca.crt).subject ?? "").toBe("");
  });
});
