// A real etcd (Debian etcd-server) serving TLS with a server certificate from our etcd CA, requiring client
// certificates: a client certificate from issueEtcdClientCertificate can put and get; a foreign one cannot.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Etcd3 } from "etcd3";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import type { SecretsBundle } from "./bundle.js";
import { type EtcdClientCertificate, issueEtcdClientCertificate } from "./etcd-client.js";
import { generateBundle } from "./generate-bundle.js";
import { issueCertificate } from "./pki.js";
import { bundleCa } from "./read-bundle.js";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function client(url: string, certificate: EtcdClientCertificate): Etcd3 {
  return new Etcd3({
    hosts: url,
    credentials: {
      rootCertificate: Buffer.from(certificate.ca),
      certChain: Buffer.from(certificate.crt),
      privateKey: Buffer.from(certificate.key),
    },
    dialTimeout: 3000,
  });
}

let bundle: SecretsBundle;
let directory: string;
let etcd: ResultPromise | undefined;
let url: string;
let output = "";

beforeAll(async () => {
  bundle = await testBundle();
  directory = await mkdtemp(path.join(tmpdir(), "talos-etcd-"));
  const server = await issueCertificate({
    ca: bundleCa(bundle, "etcd"),
    commonName: "etcd-test",
    extendedKeyUsages: ["serverAuth", "clientAuth"],
    ipAddresses: ["127.0.0.1"],
    dnsNames: ["localhost"],
  });
  const files = {
    ca: path.join(directory, "ca.crt"),
    crt: path.join(directory, "server.crt"),
    key: path.join(directory, "server.key"),
  };
  await writeFile(files.ca, bundleCa(bundle, "etcd").crt);
  await writeFile(files.crt, server.crt);
  await writeFile(files.key, server.key, { mode: 0o600 });
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  url = `https://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  etcd = execa(
    "etcd",
    [
      "--name=kubeforge-test",
      `--data-dir=${path.join(directory, "data")}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=kubeforge-test=${peer}`,
      `--cert-file=${files.crt}`,
      `--key-file=${files.key}`,
      `--trusted-ca-file=${files.ca}`,
      "--client-cert-auth=true",
    ],
    { reject: false, all: true },
  );
  etcd.all?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // Wait until etcd serves clients (or exits).
  const deadline = Date.now() + 30_000;
  while (!output.includes("serving client traffic securely") && !output.includes("ready to serve client requests")) {
    if (etcd.exitCode !== null || Date.now() > deadline) throw new Error(`etcd did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  etcd?.kill("SIGTERM");
  await etcd;
  await rm(directory, { recursive: true, force: true });
});

describe("etcd with our etcd CA", () => {
  it("accepts a client certificate from issueEtcdClientCertificate: put and get over TLS", async () => {
    const etcdClient = client(url, await issueEtcdClientCertificate(bundle, { commonName: "kubeforge-upgrade" }));
    try {
      await etcdClient.put("kubeforge/check").value("quorum-ok");
      expect(await etcdClient.get("kubeforge/check").string()).toBe("quorum-ok");
    } finally {
      etcdClient.close();
    }
  }, 30_000);

  it("rejects a client certificate from another cluster's etcd CA", async () => {
    const other = await generateBundle({ talosVersion: "v1.13.9" });
    const stranger = await issueEtcdClientCertificate(other);
    const etcdClient = client(url, { ...stranger, ca: bundleCa(bundle, "etcd").crt });
    try {
      await expect(etcdClient.get("kubeforge/check").string()).rejects.toThrow();
    } finally {
      etcdClient.close();
    }
  }, 30_000);
});
