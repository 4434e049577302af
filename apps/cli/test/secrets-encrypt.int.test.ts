// `kubeforge secrets encrypt` on an init'd cluster: a rule whose encrypted_regex matches none of a Secret's keys is
// refused before anything is written (kubeforge-sops alone only warns, as sops writes such a file), and the hint for
// an already-encrypted file is `kubeforge secrets edit <file>`, which works as printed (it finds the saved key).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP as app, BIN as bin, REPO as repo } from "./harness.js";

let work: string;
let root: string;
let keys: string;

function run(args: string[], env: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, NODE_PATH: _np, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...rest, HOME: keys, ...env },
    timeout: 240_000,
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-secrets-encrypt-"));
  keys = mkdtempSync(path.join(tmpdir(), "kubeforge-keys-"));
  root = path.join(work, "repo");
  mkdirSync(path.join(root, "clusters"), { recursive: true });
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  execFileSync("age-keygen", ["-o", path.join(keys, "mine.txt")], { stdio: "ignore" });
  const init = run(
    [
      "init",
      "mine",
      ...["--node", "192.168.1.11,aa:bb:cc:dd:ee:01", "--node", "192.168.1.12,aa:bb:cc:dd:ee:02"],
      ...["--node", "192.168.1.13,aa:bb:cc:dd:ee:03", "--gateway", "192.168.1.1", "--vip", "192.168.1.10"],
      ...["--oidc-issuer", "https://auth.example.com", "--git-url", "git@github.com:you/homelab.git", "--skip-install"],
    ],
    { SOPS_AGE_KEY_FILE: path.join(keys, "mine.txt") },
  );
  expect(init.status, init.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

describe("kubeforge secrets encrypt", () => {
  it("refuses (exit 1, file unchanged) when the rule's encrypted_regex selects none of the Secret's values", () => {
    const config = path.join(root, ".sops.yaml");
    const original = readFileSync(config, "utf8");
    expect(original).toContain("encrypted_regex: ^(data|stringData)$");
    // the mine rule, with the reviewer's typo
    const typo = original.replace("encrypted_regex: ^(data|stringData)$", "encrypted_regex: ^(data|stringdata)$");
    writeFileSync(config, typo);
    const file = "clusters/mine/secrets/t1.sops.yaml";
    mkdirSync(path.join(root, "clusters/mine/secrets"), { recursive: true });
    const plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: t1\nstringData:\n  password: plain-t1\n";
    writeFileSync(path.join(root, file), plain);
    const result = run(["secrets", "encrypt", "-i", file]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${file}: none of the 4 values of the document would be encrypted`);
    expect(result.stderr).toContain("encrypted_regex ^(data|stringdata)$");
    expect(result.stderr).toContain("path_regex");
    expect(result.stderr).toContain("nothing was written");
    expect(readFileSync(path.join(root, file), "utf8")).toBe(plain);
    // with the rule fixed the same command encrypts the value
    writeFileSync(config, original);
    const fixed = run(["secrets", "encrypt", "-i", file]);
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(readFileSync(path.join(root, file), "utf8")).not.toContain("plain-t1");
  }, 300_000);

  it("on an encrypted file, names `kubeforge secrets edit <file>`, which opens it with the saved key as printed", () => {
    const file = "clusters/mine/git-deploy-key.sops.yaml";
    const result = run(["secrets", "encrypt", "-i", file]);
    expect(result.status).toBe(203);
    expect(result.stderr).toContain(`run \`kubeforge secrets edit ${file}\``);
    expect(result.stderr).not.toContain("kubeforge-sops");
    // as printed, without SOPS_AGE_KEY_FILE: it decrypts (an unchanged edit exits 200, "File has not changed")
    const edit = run(["secrets", "edit", file], { EDITOR: "true", SOPS_EDITOR: "true" });
    expect(edit.stderr).toContain("File has not changed");
    expect(edit.status).toBe(200);
  }, 300_000);
});
