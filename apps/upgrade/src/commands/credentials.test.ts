// The CLI's default credentials: issued from the committed homelab bundle (decrypted with the demo age key).
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCluster } from "@kubeforge/config";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { issueEtcdCredentials, readClusterBundle, writeRunTalosconfig } from "./credentials.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const clusterFile = path.join(repoRoot, "clusters/homelab/cluster.ts");
// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-credentials-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("credentials from the cluster bundle", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("issues an etcd client certificate (clientAuth) signed by the bundle's etcd CA, and a talosconfig", async () => {
    vi.stubEnv("SOPS_AGE_KEY_FILE", path.join(repoRoot, "demo-keys/age.agekey"));
    vi.stubEnv("SOPS_AGE_KEY", "");
    const { cluster } = await loadCluster(clusterFile);
    const bundle = await readClusterBundle(cluster, clusterFile);
    const credentials = await issueEtcdCredentials(bundle);
    const ca = new X509Certificate(credentials.ca);
    const cert = new X509Certificate(credentials.cert);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(cert.subject).toContain("CN=kubeforge-upgrade");
    expect(credentials.key).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);

    const written = await writeRunTalosconfig(cluster, bundle);
    try {
      const talosconfig = parse(readFileSync(written.file, "utf8"));
      expect(talosconfig.context).toBe("homelab");
      expect(talosconfig.contexts.homelab.endpoints).toEqual(["192.168.1.101", "192.168.1.102", "192.168.1.103"]);
    } finally {
      await written.dispose();
    }
  });

  it("without an age identity it fails with E_CONNECT and says which flags avoid the bundle", async () => {
    vi.stubEnv("SOPS_AGE_KEY_FILE", path.join(repoRoot, "does-not-exist.agekey"));
    vi.stubEnv("SOPS_AGE_KEY", "");
    // A HOME outside the repository: the definition loader caches compiled definitions under it.
    const home = path.join(scratch, "no-home");
    vi.stubEnv("XDG_CONFIG_HOME", home);
    vi.stubEnv("XDG_CACHE_HOME", home);
    vi.stubEnv("HOME", home);
    const { cluster } = await loadCluster(clusterFile);
    const error = await readClusterBundle(cluster, clusterFile).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "E_CONNECT" });
    expect((error as { hint: string }).hint).toContain("--etcd-ca/--etcd-cert/--etcd-key");
  });
});
