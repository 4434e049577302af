import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixturesDir, repoRoot } from "../../test/fixtures.js";
import { pickTalosSchema } from "./talos-schema.js";
import { validateTalosConfigs } from "./validate-talos.js";

const golden = path.resolve(repoRoot, "../shared/conformance/talos/golden");

describe("validateTalosConfigs", () => {
  it("accepts the official generated configs of each shipped version", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "talos-"));
    try {
      for (const [minor, version] of [
        ["v1.12", "v1.12.11"],
        ["v1.13", "v1.13.9"],
        ["v1.14", "v1.14.0-rc.1"],
      ] as const) {
        await rm(dir, { recursive: true, force: true });
        await cp(path.join(golden, `gen-config-${minor}-base-controlplane.yaml`), path.join(dir, "controlplane.yaml"));
        await cp(path.join(golden, `gen-config-${minor}-base-worker.yaml`), path.join(dir, "worker.yaml"));
        // A secrets bundle beside them is not a machine config and is skipped.
        await cp(path.join(golden, "secrets-bundle-testfixture.yaml"), path.join(dir, "secrets.yaml"));
        const result = await validateTalosConfigs({ dir, talosVersion: version, displayBase: dir });
        expect(result.findings).toEqual([]);
        expect(result.documents).toBeGreaterThanOrEqual(2);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports unknown fields and wrong types with file, path and line", async () => {
    const result = await validateTalosConfigs({
      dir: path.join(fixturesDir, "talos-schema", "talos"),
      talosVersion: "v1.13.9",
      displayBase: fixturesDir,
    });
    expect(result.findings.map((f) => [f.rule, f.file, f.path, f.line, f.message])).toEqual([
      ["talos-schema", "talos-schema/talos/worker.yaml", "persist", 3, "must be boolean"],
      ["talos-schema", "talos-schema/talos/worker.yaml", "machine.install.wipeDisk", 17, 'unknown field "wipeDisk"'],
    ]);
  });

  it("decrypts SOPS files in memory through the decrypt seam, and warns when it cannot", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "talos-"));
    try {
      const plain = await readFile(path.join(golden, "gen-config-v1.13-base-worker.yaml"), "utf8");
      await writeFile(path.join(dir, "worker.sops.yaml"), `${plain.split("---")[0]}sops:\n  version: 3.9.0\n`);
      const skipped = await validateTalosConfigs({ dir, talosVersion: "v1.13.9", displayBase: dir });
      expect(skipped.findings.map((f) => [f.severity, f.message])).toEqual([
        ["warning", "SOPS-encrypted Talos config was not checked: no decryption available"],
      ]);
      const decrypted = await validateTalosConfigs({
        dir,
        talosVersion: "v1.13.9",
        displayBase: dir,
        decrypt: async (text) => text.replace(/^sops:[\s\S]*$/m, "").replace("debug: false", "debug: 1"),
      });
      expect(decrypted.findings.map((f) => [f.path, f.message])).toEqual([["debug", "must be boolean"]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lists the encrypted configs no key opened in notChecked, whatever the warning says", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "talos-"));
    try {
      const plain = await readFile(path.join(golden, "gen-config-v1.13-base-worker.yaml"), "utf8");
      await writeFile(path.join(dir, "worker.sops.yaml"), `${plain.split("---")[0]}sops:\n  version: 3.9.0\n`);
      // Without a decryptor, an encrypted file not shaped like a machine config is neither warned about nor counted.
      await writeFile(path.join(dir, "other.sops.yaml"), "token: ENC[x]\nsops:\n  version: 3.9.0\n");
      await writeFile(path.join(dir, "plain.yaml"), plain);
      const base = { dir, talosVersion: "v1.13.9", displayBase: path.dirname(dir) };
      const file = path.join(path.basename(dir), "worker.sops.yaml");
      expect((await validateTalosConfigs(base)).notChecked).toEqual([{ file, reason: "no decryption available" }]);
      const refused = await validateTalosConfigs({
        ...base,
        decrypt: async () => {
          throw new Error("no age identity can decrypt the data key\nrecipients: age1…");
        },
      });
      // A failed decryption is counted for every encrypted file, as each gets its warning; in file order.
      expect(refused.notChecked).toEqual([
        { file: path.join(path.basename(dir), "other.sops.yaml"), reason: "no age identity can decrypt the data key" },
        { file, reason: "no age identity can decrypt the data key" },
      ]);
      const opened = await validateTalosConfigs({
        ...base,
        decrypt: async (text) => text.replace(/^sops:[\s\S]*$/m, ""),
      });
      expect(opened.notChecked).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("picks the schema of the same minor", () => {
    const available = new Map([
      ["v1.12.11", "a"],
      ["v1.13.9", "b"],
    ]);
    expect(pickTalosSchema("v1.13.2", available)).toBe("b");
    expect(pickTalosSchema("v1.12.11", available)).toBe("a");
    expect(pickTalosSchema("v1.15.0", available)).toBeUndefined();
  });
});
