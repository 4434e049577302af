// Every certificate kubeforge issues, checked by OpenSSL against the CA that should have signed it.
import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { talosConformance } from "../__fixtures__/paths.js";
import { issueAdminCertificate } from "../talosconfig.js";
import type { BundleCa, SecretsBundle } from "./bundle.js";
import { issueEtcdClientCertificate } from "./etcd-client.js";
import { generateBundle } from "./generate-bundle.js";
import { decodePem, toStandardPem } from "./pem.js";
import { issueCertificate } from "./pki.js";
import { bundleCa, parseBundle } from "./read-bundle.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-pki-int-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let bundle: SecretsBundle;
let directory: string;

beforeAll(async () => {
  bundle = await testBundle();
  directory = await mkdtemp(path.join(scratch, "talos-pki-"));
});

async function file(name: string, content: string): Promise<string> {
  const target = path.join(directory, name);
  await writeFile(target, content, { mode: 0o600 });
  return target;
}

async function opensslVerify(ca: BundleCa | string, crt: string, purpose?: "sslclient" | "sslserver") {
  const pem = ca.includes("BEGIN") ? ca : bundleCa(bundle, ca as BundleCa).crt;
  const caFile = await file(`ca-${Math.random().toString(36).slice(2)}.pem`, pem);
  const crtFile = await file(`leaf-${Math.random().toString(36).slice(2)}.pem`, crt);
  const result = await execa(
    "openssl",
    ["verify", "-CAfile", caFile, ...(purpose ? ["-purpose", purpose] : []), crtFile],
    {
      reject: false,
    },
  );
  return `${result.stdout}${result.stderr}`.trim();
}

async function opensslText(crt: string): Promise<string> {
  return (await execa("openssl", ["x509", "-noout", "-text"], { input: crt })).stdout;
}

describe("openssl verify", () => {
  it("verifies every CA of the bundle as self-signed, and reads every key", async () => {
    for (const name of ["etcd", "k8s", "k8saggregator", "os"] as const) {
      const { crt, key } = bundleCa(bundle, name);
      expect(await opensslVerify(name, crt), name).toMatch(/: OK$/);
      const keyFile = await file(`${name}.key`, toStandardPem(key));
      await execa("openssl", ["pkey", "-in", keyFile, "-noout"]);
    }
    const saKey = await file("sa.key", decodePem(bundle.certs.k8sserviceaccount.key));
    expect((await execa("openssl", ["rsa", "-in", saKey, "-check", "-noout"])).stdout).toContain("RSA key ok");
  });

  it("verifies the talosconfig admin certificate against the os CA, for client use only", async () => {
    const admin = await issueAdminCertificate(bundle);
    expect(await opensslVerify("os", admin.crt, "sslclient")).toMatch(/: OK$/);
    expect(await opensslVerify("os", admin.crt, "sslserver")).not.toMatch(/: OK$/);
    const text = await opensslText(admin.crt);
    expect(text).toMatch(/Subject: O = os:admin\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
    expect(text).toContain("ED25519");
  });

  it("verifies etcd client and server certificates against the etcd CA", async () => {
    const client = await issueEtcdClientCertificate(bundle);
    expect(await opensslVerify(client.ca, client.crt, "sslclient")).toMatch(/: OK$/);
    const server = await issueCertificate({
      ca: bundleCa(bundle, "etcd"),
      commonName: "node-1",
      extendedKeyUsages: ["serverAuth", "clientAuth"],
      ipAddresses: ["127.0.0.1", "192.168.1.101"],
      dnsNames: ["localhost"],
    });
    expect(await opensslVerify("etcd", server.crt, "sslserver")).toMatch(/: OK$/);
    expect(await opensslText(server.crt)).toMatch(/DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.1.101/);
  });

  it("verifies leaves of the Kubernetes and aggregator CAs (the aggregator's subject is empty)", async () => {
    for (const name of ["k8s", "k8saggregator"] as const) {
      const leaf = await issueCertificate({
        ca: bundleCa(bundle, name),
        commonName: "front-proxy-client",
        extendedKeyUsages: ["clientAuth"],
      });
      expect(await opensslVerify(name, leaf.crt, "sslclient"), name).toMatch(/: OK$/);
    }
  });

  it("issues verifiable certificates from a bundle made by talosctl (Go-encoded CA names)", async () => {
    const fixture = path.join(talosConformance, "golden/secrets-bundle-testfixture.yaml");
    const imported = parseBundle(await readFile(fixture, "utf8"), fixture);
    const client = await issueEtcdClientCertificate(imported);
    expect(await opensslVerify(client.ca, client.crt, "sslclient")).toMatch(/: OK$/);
    const admin = await issueAdminCertificate(imported);
    expect(await opensslVerify(bundleCa(imported, "os").crt, admin.crt, "sslclient")).toMatch(/: OK$/);
  });

  it("does not verify a certificate against another cluster's CA", async () => {
    const other = await generateBundle({ talosVersion: "v1.13.9" });
    const stranger = await issueEtcdClientCertificate(other);
    expect(await opensslVerify("etcd", stranger.crt)).toMatch(/unable to get local issuer certificate/);
  });
});
