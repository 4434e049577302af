import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { afterAll, expect, it } from "vitest";
import { describeMissingBundle, findOrphans, isEncryptedMachineConfig } from "./talos-folder.js";

const MACHINE =
  "version: ENC[AES256_GCM,data:x]\nmachine:\n  type: ENC[AES256_GCM,data:y]\nsops:\n  version: 3.9.0\n---\ncluster: {}\n";
const dir = mkdtempSync(path.join(tmpdir(), "talos-folder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("takes only SOPS-encrypted machine configs for build's own", () => {
  expect(isEncryptedMachineConfig(MACHINE)).toBe(true);
  expect(isEncryptedMachineConfig("machine:\n  type: controlplane\n")).toBe(false); // plaintext: not what build writes
  expect(isEncryptedMachineConfig("data: ENC[x]\nsops:\n  version: 3.9.0\n")).toBe(false); // another secret
  expect(isEncryptedMachineConfig("contexts: {}\nsops:\n  version: 3.9.0\n")).toBe(false); // a talosconfig
  expect(isEncryptedMachineConfig(": not yaml [")).toBe(false);
});

it("lists the machine configs of hostnames the definition no longer has, never the talosconfig or other files", () => {
  const generated = path.join(dir, "generated");
  mkdirSync(generated);
  const files = ["node-1", "node-3", "talosconfig", "notes"].map((name) => path.join(generated, `${name}.sops.yaml`));
  for (const file of files.slice(0, 3)) writeFileSync(file, MACHINE);
  writeFileSync(files[3]!, "data: ENC[x]\nsops:\n  version: 3.9.0\n");
  expect(findOrphans(files, ["node-1", "node-2"])).toEqual([files[1]]);
});

it("points the recovery at an existing control-plane config, with --cluster as run from where the user is", () => {
  const clusterDir = path.join(dir, "clusters", "mine");
  const generated = path.join(clusterDir, "talos", "generated");
  const folder = {
    bundle: path.join(clusterDir, "talos", "talsecret.sops.yaml"),
    bundleExists: false,
    generated,
    configs: ["cp-2", "worker-1"].map((name) => path.join(generated, `${name}.sops.yaml`)),
    orphans: [],
  };
  const cluster = {
    nodes: [
      { hostname: "cp-1", controlPlane: true },
      { hostname: "cp-2", controlPlane: true },
      { hostname: "worker-1", controlPlane: false },
    ],
  } as unknown as Cluster;
  const inside = describeMissingBundle(folder, cluster, clusterDir, clusterDir);
  expect(inside.message).toBe(
    "talos/talsecret.sops.yaml is missing, but talos/generated/ holds 2 files built from it (cp-2.sops.yaml, worker-1.sops.yaml); they cannot be rebuilt without it",
  );
  expect(inside.hint).toContain("`kubeforge talos gen secrets --cluster . --from talos/generated/cp-2.sops.yaml`");
  expect(inside.hint).toContain("`git checkout -- talos/talsecret.sops.yaml`");
  expect(inside.hint).toContain("never `kubeforge talos gen secrets` without --from");
  const above = describeMissingBundle(folder, cluster, clusterDir, dir);
  expect(above.hint).toContain(
    "`kubeforge talos gen secrets --cluster clusters/mine --from clusters/mine/talos/generated/cp-2.sops.yaml`",
  );
});
