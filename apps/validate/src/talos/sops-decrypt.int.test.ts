// Real SOPS round trip: a Talos config encrypted to the demo age key is decrypted in memory and validated.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { encryptText } from "@kubeforge/sops";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../test/fixtures.js";
import { sopsDecryptor } from "./sops-decrypt.js";
import { validateTalosConfigs } from "./validate-talos.js";

const DEMO_RECIPIENT = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";
const demoKeyFile = path.join(repoRoot, "demo-keys", "age.agekey");
const golden = path.resolve(repoRoot, "../shared/conformance/talos/golden/gen-config-v1.13-base-controlplane.yaml");

describe("SOPS-encrypted Talos configs", () => {
  it("are decrypted with the age key and validated; a bad field is found inside the ciphertext", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "talos-sops-"));
    try {
      const plain = await readFile(golden, "utf8");
      const broken = plain.replace("machine:\n", "machine:\n    tpye: controlplane\n");
      await writeFile(
        path.join(dir, "node-1.sops.yaml"),
        await encryptText(plain, { format: "yaml", recipients: [DEMO_RECIPIENT] }),
      );
      await writeFile(
        path.join(dir, "node-2.sops.yaml"),
        await encryptText(broken, { format: "yaml", recipients: [DEMO_RECIPIENT] }),
      );
      const decrypt = await sopsDecryptor({ SOPS_AGE_KEY_FILE: demoKeyFile });
      expect(decrypt).toBeDefined();
      const result = await validateTalosConfigs({
        dir,
        talosVersion: "v1.13.9",
        displayBase: dir,
        ...(decrypt ? { decrypt } : {}),
      });
      expect(result.findings.map((f) => [f.file, f.path, f.line, f.message])).toEqual([
        ["node-2.sops.yaml", "machine.tpye", 5, 'unknown field "tpye"'],
      ]);
      expect(result.documents).toBeGreaterThanOrEqual(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("without a key, no decryptor is made", async () => {
    expect(await sopsDecryptor({ HOME: "/nonexistent" })).toBeUndefined();
    await expect(sopsDecryptor({ SOPS_AGE_KEY_FILE: "/nonexistent/keys.txt" })).rejects.toMatchObject({
      code: "E_READ",
    });
  });
});
