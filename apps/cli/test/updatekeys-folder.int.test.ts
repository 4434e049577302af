// `kubeforge secrets updatekeys <cluster folder>`: a teammate's key reaches every SOPS file of the cluster in one
// command (it took one run per file: 8 for a fresh cluster; now one kubeforge-sops run for all). On a copy of homelab inside apps/cli (so cluster.ts
// resolves @kubeforge/config), encrypted to the demo key; the real `age-keygen` makes the teammate's key.
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP as app, BIN as bin, REPO as repo } from "./harness.js";

const sopsBin = path.join(repo, "packages", "sops", "bin", "kubeforge-sops.mjs");
const DEMO_KEY = path.join(repo, "demo-keys", "age.agekey");
const DEMO_RECIPIENT = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";

let work: string;
let keys: string;
let teammate: string;

function run(file: string, args: string[], env: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, ...rest } = process.env;
  return spawnSync(process.execPath, [file, ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...rest, HOME: keys, ...env },
    timeout: 240_000,
  });
}

/** Every file under a folder, relative to the work dir. */
function filesUnder(dir: string): string[] {
  return readdirSync(path.join(work, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(work, path.join(entry.parentPath, entry.name)))
    .sort();
}

const sopsFiles = () =>
  [...filesUnder("clusters/mine/secrets"), ...filesUnder("clusters/mine/talos")].filter((file) =>
    file.endsWith(".sops.yaml"),
  );

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-updatekeys-"));
  keys = mkdtempSync(path.join(tmpdir(), "kubeforge-keys-"));
  writeFileSync(path.join(work, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  const dir = path.join(work, "clusters", "mine");
  for (const entry of ["cluster.ts", "talos", "secrets", "flux", "bootstrap"])
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(dir, entry), { recursive: true });
  // the folder's name, as build requires for a definition in clusters/<folder>/
  const definition = path.join(dir, "cluster.ts");
  writeFileSync(definition, readFileSync(definition, "utf8").replace('name: "homelab"', 'name: "mine"'));
  copyFileSync(DEMO_KEY, path.join(keys, "mine.txt"));
  mkdirSync(path.join(dir, ".kubeforge"));
  writeFileSync(path.join(dir, ".kubeforge", "age-key-file"), `${path.join(keys, "mine.txt")}\n`);
  execFileSync("age-keygen", ["-o", path.join(keys, "teammate.txt")], { stdio: "ignore" });
  teammate = /^# public key: (age1\S+)$/m.exec(readFileSync(path.join(keys, "teammate.txt"), "utf8"))![1]!;
  // the teammate added to the cluster's rules, as the README says (cluster.ts's sops.ageRecipients as well)
  const both = `${DEMO_RECIPIENT},${teammate}`;
  writeFileSync(
    path.join(work, ".sops.yaml"),
    `creation_rules:\n  - path_regex: clusters/mine/secrets/.*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${both}\n  - path_regex: clusters/mine/talos/.*\\.sops\\.yaml$\n    age: ${both}\nstores:\n  yaml:\n    indent: 2\n`,
  );
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

describe("kubeforge secrets updatekeys <folder>", () => {
  it("re-wraps every SOPS file of the cluster for the new key in one run, and leaves flux/ to build", () => {
    const files = sopsFiles();
    expect(files.length).toBeGreaterThanOrEqual(7);
    const teammateKey = { SOPS_AGE_KEY_FILE: path.join(keys, "teammate.txt") };
    // before: the teammate opens none of them
    expect(run(sopsBin, ["decrypt", files[0]!], teammateKey).status).not.toBe(0);
    const flux = filesUnder("clusters/mine/flux").map((file) => readFileSync(path.join(work, file), "utf8"));
    // the teammate in sops.ageRecipients too: build refuses (nothing written) and names the one command
    const definition = path.join(work, "clusters", "mine", "cluster.ts");
    const original = readFileSync(definition, "utf8");
    // (homelab's definition names the demo recipient by a constant)
    writeFileSync(
      definition,
      original.replace("ageRecipients: [DEMO_AGE_RECIPIENT]", `ageRecipients: [DEMO_AGE_RECIPIENT, "${teammate}"]`),
    );
    expect(readFileSync(definition, "utf8")).toContain(teammate);
    const refused = run(bin, ["build", "clusters/mine"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("with the SOPS recipients");
    expect(refused.stderr).toContain("re-wrap every file at once: kubeforge secrets updatekeys clusters/mine");

    const result = run(bin, ["secrets", "updatekeys", "-y", "clusters/mine"]);
    expect(result.status, result.stderr).toBe(0);
    // one kubeforge-sops run for all files (each checked before any is written)
    for (const file of files) expect(result.stderr).toContain(`${file}: keys updated`);

    for (const file of files) {
      const opened = run(sopsBin, ["decrypt", file], teammateKey);
      expect(opened.status, `${file}: ${opened.stderr}`).toBe(0);
      expect(readFileSync(path.join(work, file), "utf8")).toContain(teammate);
    }
    // the build's copies are not touched (build copies the secrets again)
    expect(filesUnder("clusters/mine/flux").map((file) => readFileSync(path.join(work, file), "utf8"))).toEqual(flux);
    // and the recipients check that refused the build is now satisfied
    const rebuilt = run(bin, ["build", "clusters/mine"]);
    expect(rebuilt.stderr).not.toContain("with the SOPS recipients");
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
  }, 300_000);

  it("says so when a folder holds no SOPS file, and exits 1", () => {
    mkdirSync(path.join(work, "empty"), { recursive: true });
    writeFileSync(path.join(work, "empty", "plain.yaml"), "a: b\n");
    const result = run(bin, ["secrets", "updatekeys", "empty"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("empty: no SOPS-encrypted file in this folder");
  }, 300_000);
});
