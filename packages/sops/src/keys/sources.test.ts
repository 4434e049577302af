// Issue 14 #6: key sources as sops 3.13 reads them.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { decryptText } from "../operations/decrypt.js";
import { encryptText } from "../operations/encrypt.js";
import { keySourceFromEnv, parseIdentityText } from "./sources.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-src-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PLUGIN = "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";

describe("age key sources", () => {
  const base = () => {
    const home = mkdtempSync(path.join(scratch, "kubeforge-sops-src-"));
    return { home, env: { HOME: home, XDG_CONFIG_HOME: path.join(home, "xdg") } as NodeJS.ProcessEnv };
  };

  it("skips an AGE-PLUGIN identity with a warning naming it and still uses the X25519 key beside it", async () => {
    const { home, env } = base();
    const file = path.join(home, "keys.txt");
    writeFileSync(file, `# yubikey\n${PLUGIN}\n${alice.identity}\n`);
    const encrypted = await encryptText("a: secret\n", { format: "yaml", recipients: [alice.recipient] });
    const source = keySourceFromEnv({ ...env, SOPS_AGE_KEY_FILE: file });
    expect(await decryptText(encrypted, { format: "yaml", identities: source })).toBe("a: secret\n");
    expect(source.warnings.join("\n")).toMatch(/skipped age plugin identity AGE-PLUGIN-YUBIKEY-1QQQQQQ/);
    expect(parseIdentityText(`${PLUGIN}\n${alice.identity}\n`)).toEqual({
      identities: [alice.identity],
      plugins: [PLUGIN],
    });
  });

  it("a missing SOPS_AGE_KEY_FILE does not abort when SOPS_AGE_KEY holds the key", async () => {
    const { home, env } = base();
    const encrypted = await encryptText("a: secret\n", { format: "yaml", recipients: [alice.recipient] });
    const source = keySourceFromEnv({
      ...env,
      SOPS_AGE_KEY: alice.identity,
      SOPS_AGE_KEY_FILE: path.join(home, "nope"),
    });
    expect(await decryptText(encrypted, { format: "yaml", identities: source })).toBe("a: secret\n");
  });

  it("runs SOPS_AGE_KEY_CMD split like a shell, without a shell, with SOPS_AGE_RECIPIENT set", async () => {
    const { home, env } = base();
    const dir = path.join(home, "dir with space");
    mkdirSync(dir);
    const script = path.join(dir, "print-key.sh");
    // prints the key only when asked for alice's recipient; `;` and `$(…)` in the command stay literal
    writeFileSync(
      script,
      `#!/bin/sh\n[ "$SOPS_AGE_RECIPIENT" = "${alice.recipient}" ] && [ "$1" = 'a;b' ] && [ "$2" = '$(x)' ] && echo ${alice.identity}\n`,
    );
    chmodSync(script, 0o755);
    const encrypted = await encryptText("a: secret\n", { format: "yaml", recipients: [alice.recipient] });
    const source = keySourceFromEnv({ ...env, PATH: process.env.PATH, SOPS_AGE_KEY_CMD: `"${script}" 'a;b' '$(x)'` });
    expect(await decryptText(encrypted, { format: "yaml", identities: source })).toBe("a: secret\n");
  });

  it("a decrypt failure is one line naming every key source tried", async () => {
    const { home, env } = base();
    const encrypted = await encryptText("a: secret\n", { format: "yaml", recipients: [bob.recipient] });
    const keyFile = path.join(home, "missing.txt");
    const source = keySourceFromEnv({ ...env, SOPS_AGE_KEY: alice.identity, SOPS_AGE_KEY_FILE: keyFile });
    const error = await decryptText(encrypted, { format: "yaml", identities: source, file: "s.yaml" }).catch((e) => e);
    expect(error.code).toBe("E_SOPS_NO_KEY");
    expect(error.message).not.toContain("\n");
    for (const part of [
      bob.recipient,
      "SOPS_AGE_SSH_PRIVATE_KEY_FILE (not set)",
      `${path.join(home, ".ssh", "id_ed25519")} (not found)`,
      `${path.join(home, ".ssh", "id_rsa")} (not found)`,
      "SOPS_AGE_KEY (1 key)",
      `SOPS_AGE_KEY_FILE=${keyFile} (not found)`,
      "SOPS_AGE_KEY_CMD (not set)",
      `${path.join(home, "xdg", "sops", "age", "keys.txt")} (not found)`,
    ]) {
      expect(error.message).toContain(part);
    }
  });
});
