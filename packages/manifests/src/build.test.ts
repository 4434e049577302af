import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@kubeforge/config";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fixtureInput } from "../test/fixture-cluster.js";
import { buildCluster, objectCount } from "./build.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(path.join(dir, folder), { withFileTypes: true })) {
      const relative = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(relative);
      else out[relative] = readFileSync(path.join(dir, relative), "utf8");
    }
  };
  walk("");
  return out;
}

describe("buildCluster", () => {
  it("writes flux/ beside the definition, byte-identical on the second build", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-build-"));
    writeFileSync(path.join(dir, "cluster.yaml"), stringify(fixtureInput()));
    const first = await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    expect(first.out).toBe(path.join(dir, "flux"));
    expect(first.name).toBe("lab");
    expect(first.objects).toBe(72);
    const before = snapshotDir(first.out);
    const second = await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    expect(second.written).toEqual([]);
    expect(snapshotDir(second.out)).toEqual(before);
  });

  it("counts the user's copied Secrets apart, so the total matches what validate counts (54 vs 56 before)", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-build-"));
    writeFileSync(path.join(dir, "cluster.yaml"), stringify(fixtureInput()));
    mkdirSync(path.join(dir, "secrets"));
    const demo = path.resolve(import.meta.dirname, "../../../clusters/homelab/secrets/grafana-oidc.sops.yaml");
    copyFileSync(demo, path.join(dir, "secrets", "grafana-oidc.sops.yaml"));
    const result = await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    expect(result.objects).toBe(72);
    expect(result.userSecrets).toBe(1);
    expect(objectCount(result)).toBe("72 objects + 1 Secret from secrets/");
    expect(objectCount({ objects: 72, userSecrets: 2 })).toBe("72 objects + 2 Secrets from secrets/");
    expect(objectCount({ objects: 72, userSecrets: 0 })).toBe("72 objects");
  });

  it("leaves the previous output intact when the definition turns invalid", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-build-"));
    const file = path.join(dir, "cluster.yaml");
    writeFileSync(file, stringify(fixtureInput()));
    await buildCluster({ cluster: file });
    const before = snapshotDir(path.join(dir, "flux"));
    writeFileSync(file, stringify({ ...fixtureInput(), namespaces: [], api: { vip: "10.0.0.11" } }));
    await expect(buildCluster({ cluster: file })).rejects.toBeInstanceOf(ConfigError);
    expect(snapshotDir(path.join(dir, "flux"))).toEqual(before);
  });
});
