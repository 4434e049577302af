import { X509Certificate } from "node:crypto";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testBundle } from "./__fixtures__/bundle.js";
import { homelabClusterFile } from "./__fixtures__/paths.js";
import type { SecretsBundle } from "./secrets/bundle.js";
import { generateBundle } from "./secrets/generate-bundle.js";
import { decodePem, encodePem } from "./secrets/pem.js";
import { type ExtendedKeyUsage, issueCertificate } from "./secrets/pki.js";
import { bundleCa } from "./secrets/read-bundle.js";
import { renderTalosconfig, type Talosconfig } from "./talosconfig.js";

let cluster: Cluster;
let bundle: SecretsBundle;
beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
});

const DAY = 24 * 60 * 60 * 1000;

describe("renderTalosconfig", () => {
  it("names the context after the cluster, lists node endpoints (not the VIP) and uses the os CA", async () => {
    const { text, reused } = await renderTalosconfig({ cluster, bundle });
    const talosconfig = parse(text) as Talosconfig;
    expect(reused).toBe(false);
    expect(talosconfig.context).toBe("homelab");
    const context = talosconfig.contexts.homelab;
    expect(context?.endpoints).toEqual(["192.168.1.101", "192.168.1.102", "192.168.1.103"]);
    expect(context?.ca).toBe(bundle.certs.os.crt);
    expect(text).not.toContain("192.168.1.100");
  });

  it("issues an os:admin client certificate signed by the os CA with EKU clientAuth only", async () => {
    const { text } = await renderTalosconfig({ cluster, bundle });
    const context = (parse(text) as Talosconfig).contexts.homelab;
    const cert = new X509Certificate(decodePem(context?.crt ?? ""));
    const ca = new X509Certificate(decodePem(bundle.certs.os.crt));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subject).toBe("O=os:admin");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(decodePem(context?.key ?? "")).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);
    expect(Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY)).toBe(365);
  });

  it("keeps the previous certificate (identical text) while it is good for more than 30 days", async () => {
    const now = new Date();
    const first = await renderTalosconfig({ cluster, bundle, now });
    const again = await renderTalosconfig({
      cluster,
      bundle,
      previous: first.text,
      now: new Date(now.getTime() + 300 * DAY),
    });
    expect(again.reused).toBe(true);
    expect(again.text).toBe(first.text);
  });

  it("re-mints the certificate when it expires within 30 days", async () => {
    const now = new Date();
    const first = await renderTalosconfig({ cluster, bundle, now });
    const later = await renderTalosconfig({
      cluster,
      bundle,
      previous: first.text,
      now: new Date(now.getTime() + 340 * DAY),
    });
    expect(later.reused).toBe(false);
    expect(later.reason).toMatch(/expires within 30 days/);
    expect(later.text).not.toBe(first.text);
  });

  it("re-mints the certificate when the os CA changed, and updates endpoints without re-minting", async () => {
    const first = await renderTalosconfig({ cluster, bundle });
    const other = await generateBundle({ talosVersion: "v1.13.9" });
    const rekeyed = await renderTalosconfig({ cluster, bundle: other, previous: first.text });
    expect(rekeyed.reused).toBe(false);
    expect(rekeyed.reason).toBe("the os CA changed");
    const fewer = { ...cluster, nodes: cluster.nodes.slice(0, 2) };
    const updated = await renderTalosconfig({ cluster: fewer, bundle, previous: first.text });
    expect(updated.reused).toBe(true);
    expect((parse(updated.text) as Talosconfig).contexts.homelab?.endpoints).toEqual([
      "192.168.1.101",
      "192.168.1.102",
    ]);
  });

  it("ignores a previous talosconfig that is not one", async () => {
    const result = await renderTalosconfig({ cluster, bundle, previous: "context: other\ncontexts: {}\n" });
    expect(result.reason).toBe("the previous talosconfig has no homelab context");
  });

  it.each([
    { what: "a reader role", organizations: ["os:reader"], usages: ["clientAuth"], reason: /not an os:admin/ },
    {
      what: "serverAuth besides clientAuth",
      organizations: ["os:admin"],
      usages: ["serverAuth", "clientAuth"],
      reason: /extended key usage/,
    },
  ] as { what: string; organizations: string[]; usages: ExtendedKeyUsage[]; reason: RegExp }[])(
    "re-mints a previous certificate with $what, which apid would refuse or under-privilege",
    async ({ organizations, usages, reason }) => {
      const first = await renderTalosconfig({ cluster, bundle });
      const wrong = await issueCertificate({
        ca: bundleCa(bundle, "os"),
        organizations,
        extendedKeyUsages: usages,
        validityDays: 365,
      });
      const previous = first.text
        .replace(/^( +)crt: .*$/m, `$1crt: ${encodePem(wrong.crt)}`)
        .replace(/^( +)key: .*$/m, `$1key: ${encodePem(wrong.key)}`);
      expect((parse(previous) as Talosconfig).contexts.homelab?.crt).toBe(encodePem(wrong.crt));
      const result = await renderTalosconfig({ cluster, bundle, previous });
      expect(result.reused).toBe(false);
      expect(result.reason).toMatch(reason);
      const cert = new X509Certificate(decodePem((parse(result.text) as Talosconfig).contexts.homelab?.crt ?? ""));
      expect(cert.subject).toBe("O=os:admin");
      expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    },
  );
});
