import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { findOrphans, isEncryptedMachineConfig } from "./talos-folder.js";

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
