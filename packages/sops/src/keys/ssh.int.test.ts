// age's SSH recipients (ssh-ed25519, ssh-rsa) against the shared agessh vector and the real `age` and
// `ssh-keygen` CLIs (Debian packages age and openssh-client). Fails, never skips, when they are missing.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { armor, Decrypter } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vectorsDir } from "../../test/shared.js";
import { runTool } from "../../test/tool.js";
import { decryptText } from "../operations/decrypt.js";
import { encryptText } from "../operations/encrypt.js";
import { unwrapDataKey, wrapDataKey } from "./age.js";
import { keySourceFromEnv } from "./sources.js";
import { sshIdentity } from "./ssh.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-ssh-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dir: string;
const keys: Record<"ed25519" | "rsa", { file: string; pub: string }> = {} as never;

beforeAll(() => {
  dir = mkdtempSync(path.join(scratch, "kubeforge-sops-ssh-"));
  for (const type of ["ed25519", "rsa"] as const) {
    const file = path.join(dir, `id_${type}`);
    runTool("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-f", file]);
    keys[type] = { file, pub: readFileSync(`${file}.pub`, "utf8").trim() };
  }
}, 120_000);

describe("age SSH recipients and identities", () => {
  it("opens the shared agessh vector (mock-encrypted-ssh-key.age with mock-ssh-identity)", async () => {
    const unit = path.join(vectorsDir, "sops-age-unit");
    const decrypter = new Decrypter();
    decrypter.addIdentity(sshIdentity(readFileSync(path.join(unit, "mock-ssh-identity"), "utf8")));
    const file = armor.decode(readFileSync(path.join(unit, "mock-encrypted-ssh-key.age"), "utf8"));
    expect(await decrypter.decrypt(file, "text")).toBe("data");
  });

  it.each(["ed25519", "rsa"] as const)(
    "age -d opens what we wrap for ssh-%s, and we open what age -R wraps",
    async (type) => {
      const { file, pub } = keys[type];
      const dataKey = randomBytes(32);
      const armored = await wrapDataKey(dataKey, pub);
      expect(armored).toContain("BEGIN AGE ENCRYPTED FILE");
      expect(runTool("age", ["-d", "-i", file], armored).equals(dataKey)).toBe(true);
      const theirs = runTool("age", ["-e", "-a", "-R", `${file}.pub`], dataKey).toString();
      const back = await unwrapDataKey(theirs, [readFileSync(file, "utf8")]);
      expect(Buffer.from(back!).equals(dataKey)).toBe(true);
      // must deny: the other key type's identity
      const other = type === "rsa" ? keys.ed25519.file : keys.rsa.file;
      expect(await unwrapDataKey(theirs, [readFileSync(other, "utf8")])).toBeUndefined();
    },
  );

  it("decrypts with SOPS_AGE_SSH_PRIVATE_KEY_FILE and with the default ~/.ssh/id_ed25519 and id_rsa", async () => {
    for (const type of ["ed25519", "rsa"] as const) {
      const text = await encryptText("a: secret\n", { format: "yaml", recipients: [keys[type].pub] });
      expect(text).toContain(`recipient: ${keys[type].pub.split(" ").slice(0, 2).join(" ")}`);
      const byEnv = keySourceFromEnv({ HOME: "/nonexistent", SOPS_AGE_SSH_PRIVATE_KEY_FILE: keys[type].file });
      expect(await decryptText(text, { format: "yaml", identities: byEnv })).toBe("a: secret\n");
      const home = mkdtempSync(path.join(scratch, "kubeforge-sops-home-"));
      mkdirSync(path.join(home, ".ssh"));
      runTool("cp", [keys[type].file, path.join(home, ".ssh", `id_${type}`)]);
      const byDefault = keySourceFromEnv({ HOME: home, XDG_CONFIG_HOME: home });
      expect(await decryptText(text, { format: "yaml", identities: byDefault })).toBe("a: secret\n");
    }
  });

  it("names a passphrase-protected key instead of failing obscurely", async () => {
    const file = path.join(dir, "locked");
    runTool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret-pass", "-f", file]);
    expect(() => sshIdentity(readFileSync(file, "utf8"))).toThrow(/passphrase-protected/);
  });
});
