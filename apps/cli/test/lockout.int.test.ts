// The lock-out a reviewer hit: `kubeforge init`, then the user's own key pasted over with a teammate's in .sops.yaml
// (instead of added), then the README's `kubeforge secrets updatekeys clusters/mine`. It used to re-wrap every file
// (Talos PKI, deploy key) to a key the user cannot open. Now it refuses and changes no byte; --allow-lockout is the
// explicit way to hand files to someone else's key. Real age-keygen keys; init only writes files (--skip-install).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP as app, BIN as bin, REPO as repo } from "./harness.js";

const sopsBin = path.join(repo, "packages", "sops", "bin", "kubeforge-sops.mjs");

let work: string;
let root: string;
let keys: string;
let mine: string;
let mate: string;
const FILES = ["clusters/mine/git-deploy-key.sops.yaml", "clusters/mine/talos/talsecret.sops.yaml"];

function run(file: string, args: string[], env: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, NODE_PATH: _np, ...rest } = process.env;
  return spawnSync(process.execPath, [file, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...rest, HOME: keys, ...env },
    timeout: 240_000,
  });
}

const publicKey = (file: string) => /^# public key: (age1\S+)$/m.exec(readFileSync(file, "utf8"))![1]!;
const snapshot = () => FILES.map((file) => readFileSync(path.join(root, file)));
const mineKey = () => ({ SOPS_AGE_KEY_FILE: path.join(keys, "mine.txt") });
const mateKey = () => ({ SOPS_AGE_KEY_FILE: path.join(keys, "mate.txt") });

function expectUnchanged(before: Buffer[]) {
  FILES.forEach((file, i) => {
    expect(readFileSync(path.join(root, file)).equals(before[i]!), `${file} changed`).toBe(true);
    const opened = run(bin, ["secrets", "decrypt", file]);
    expect(opened.status, `${file}: ${opened.stderr}`).toBe(0);
  });
}

/** .sops.yaml with the user's key pasted over by the teammate's (the reviewer's sed on the clusters/mine rules). */
const pasteOver = () => {
  const file = path.join(root, ".sops.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replaceAll(mine, mate));
};

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-lockout-"));
  keys = mkdtempSync(path.join(tmpdir(), "kubeforge-keys-"));
  root = path.join(work, "repo");
  mkdirSync(path.join(root, "clusters"), { recursive: true });
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  for (const name of ["mine", "mate"])
    execFileSync("age-keygen", ["-o", path.join(keys, `${name}.txt`)], { stdio: "ignore" });
  mine = publicKey(path.join(keys, "mine.txt"));
  mate = publicKey(path.join(keys, "mate.txt"));
  const init = run(
    bin,
    [
      "init",
      "mine",
      ...["--node", "192.168.1.11,aa:bb:cc:dd:ee:01", "--node", "192.168.1.12,aa:bb:cc:dd:ee:02"],
      ...["--node", "192.168.1.13,aa:bb:cc:dd:ee:03", "--gateway", "192.168.1.1", "--vip", "192.168.1.10"],
      ...["--oidc-issuer", "https://auth.example.com", "--git-url", "git@github.com:you/homelab.git", "--skip-install"],
    ],
    mineKey(),
  );
  expect(init.status, init.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

describe("kubeforge secrets updatekeys after pasting a teammate's key over your own", () => {
  it("refuses (exit 1) while .sops.yaml and cluster.ts disagree, naming both lists and which to fix; no byte changes", () => {
    const before = snapshot();
    pasteOver();
    const result = run(bin, ["secrets", "updatekeys", "clusters/mine"]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("name other age recipients than its definition");
    expect(result.stderr).toContain(`names: ${mate}`);
    expect(result.stderr).toContain(`clusters/mine/cluster.ts sops.ageRecipients names: ${mine}`);
    expect(result.stderr).toContain("add their key to both and keep your own");
    expect(result.stderr).not.toContain("keys updated");
    expectUnchanged(before);
  }, 300_000);

  it("refuses with exit 40 when cluster.ts agrees but none of your keys could open the result; no byte changes", () => {
    const before = snapshot();
    const definition = path.join(root, "clusters", "mine", "cluster.ts");
    writeFileSync(definition, readFileSync(definition, "utf8").replaceAll(mine, mate));
    for (const args of [
      ["secrets", "updatekeys", "clusters/mine"],
      ["secrets", "updatekeys", "-y", "clusters/mine"],
    ]) {
      const result = run(bin, args);
      expect(result.status, result.stderr).toBe(40);
      expect(result.stderr).toContain("updatekeys would lock you out of 2 files");
      for (const file of FILES) expect(result.stderr).toContain(`${file}: would be encrypted only to ${mate}`);
      expect(result.stderr).toContain(`opened with ${mine}`);
      expect(result.stderr).toContain("--allow-lockout");
      // the fix names the key file kubeforge secrets reads (the saved one wins over SOPS_AGE_KEY_FILE) and both
      // places a recipient lives (from a review: the SOPS_AGE_KEY_FILE advice could not work)
      expect(result.stderr).toContain("which kubeforge secrets reads instead of SOPS_AGE_KEY_FILE");
      expect(result.stderr).toContain("in the .sops.yaml rule and in sops.ageRecipients of clusters/mine/cluster.ts");
      expectUnchanged(before);
    }
    // kubeforge-sops itself, as the README's Go-sops-style command
    const direct = run(sopsBin, ["updatekeys", FILES[1]!], mineKey());
    expect(direct.status, direct.stderr).toBe(40);
    expectUnchanged(before);
  }, 300_000);

  it("--allow-lockout hands the files to the teammate's key", () => {
    const result = run(bin, ["secrets", "updatekeys", "--allow-lockout", "clusters/mine"]);
    expect(result.status, result.stderr).toBe(0);
    for (const file of FILES) {
      expect(result.stderr).toContain(`${file}: keys updated`);
      expect(run(sopsBin, ["decrypt", file], mateKey()).status).toBe(0);
      expect(run(sopsBin, ["decrypt", file], mineKey()).status).toBe(128);
    }
  }, 300_000);
});
