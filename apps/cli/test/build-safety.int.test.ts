// `kubeforge build` on a cluster made by `kubeforge init` (in a scratch repository inside apps/cli): a missing secrets
// bundle beside existing configs, a `name` that is not its folder's, configs of nodes that are gone, and what
// `--check` names. Each test puts back what it changed.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP as app, BIN as bin, REPO as repo } from "./harness.js";

let work: string;
let home: string;
let root: string;
let dir: string;
let definition: string;
let bundle: string;
let keyFile: string;

function kubeforge(args: string[]) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, NODE_PATH: _p, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...rest, HOME: home, SOPS_AGE_KEY_FILE: keyFile },
  });
}

/** Every file under flux/, bootstrap/ and talos/, with its bytes. */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ["flux", "bootstrap", "talos"]) {
    if (!existsSync(path.join(dir, folder))) continue;
    for (const entry of readdirSync(path.join(dir, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, file), readFileSync(file, "utf8"));
    }
  }
  return files;
}

function editDefinition(edit: (text: string) => string): () => void {
  const before = readFileSync(definition, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(definition, after);
  return () => writeFileSync(definition, before);
}

/** The decrypted machine config of `node`, via `kubeforge secrets decrypt`. */
function decrypted(node: string): string {
  const result = kubeforge(["secrets", "decrypt", path.join(dir, "talos", "generated", `${node}.sops.yaml`)]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-safety-"));
  home = mkdtempSync(path.join(tmpdir(), "kubeforge-home-"));
  keyFile = path.join(home, "mine.txt");
  root = path.join(work, "repo");
  mkdirSync(path.join(root, "clusters"), { recursive: true });
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  const init = kubeforge([
    "init",
    "mine",
    "--age-key-file",
    keyFile,
    ...["--node", "192.168.1.11,aa:bb:cc:dd:ee:01", "--node", "192.168.1.12,aa:bb:cc:dd:ee:02"],
    ...["--node", "192.168.1.13,aa:bb:cc:dd:ee:03", "--gateway", "192.168.1.1", "--vip", "192.168.1.10"],
    ...["--oidc-issuer", "https://auth.example.com", "--git-url", "git@github.com:you/homelab.git", "--skip-install"],
  ]);
  expect(init.status, init.stderr).toBe(0);
  dir = path.join(root, "clusters", "mine");
  definition = path.join(dir, "cluster.ts");
  bundle = path.join(dir, "talos", "talsecret.sops.yaml");
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

it("builds a brand-new cluster without a bundle and without talos/generated/ as before: flux/ and a warning", () => {
  const aside = path.join(work, "talsecret.sops.yaml");
  renameSync(bundle, aside);
  try {
    const result = kubeforge(["build", "mine"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("has no talos/talsecret.sops.yaml yet");
    expect(existsSync(path.join(dir, "talos", "generated"))).toBe(false);
  } finally {
    renameSync(aside, bundle);
  }
  const built = kubeforge(["build", "mine"]);
  expect(built.status, built.stderr).toBe(0);
  expect(readdirSync(path.join(dir, "talos", "generated")).sort()).toEqual([
    "node-1.sops.yaml",
    "node-2.sops.yaml",
    "node-3.sops.yaml",
    "talosconfig.sops.yaml",
  ]);
}, 240_000);

it("fails build and build --check when the bundle is missing beside generated configs, naming the file and the recovery", () => {
  const aside = path.join(work, "talsecret.sops.yaml");
  renameSync(bundle, aside);
  const restore = editDefinition((text) => text.replace('"/dev/sda"', '"/dev/nvme0n1"'));
  try {
    const before = snapshot();
    // Before the fix: exit 0 with a warning advising `talos gen secrets` (new PKI), node configs still /dev/sda.
    const result = kubeforge(["build", "mine"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "clusters/mine/talos/talsecret.sops.yaml is missing, but clusters/mine/talos/generated/ holds 4 files built from it (node-1.sops.yaml, node-2.sops.yaml, node-3.sops.yaml, talosconfig.sops.yaml)",
    );
    expect(result.stderr).toContain("nothing was written");
    expect(result.stderr).toContain("git checkout -- clusters/mine/talos/talsecret.sops.yaml");
    expect(result.stderr).toContain("git log -- clusters/mine/talos/talsecret.sops.yaml");
    expect(result.stderr).toContain(
      "kubeforge talos gen secrets --cluster clusters/mine --from clusters/mine/talos/generated/node-1.sops.yaml",
    );
    expect(result.stderr).not.toContain("    at ");
    expect(snapshot()).toEqual(before);
    // Before the fix: exit 0, "upToDate": true.
    const check = kubeforge(["build", "mine", "--check", "--json"]);
    expect(check.status, check.stdout + check.stderr).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.upToDate).toBe(false);
    expect(report.talosStale.join("\n")).toContain("clusters/mine/talos/talsecret.sops.yaml is missing");
    const human = kubeforge(["build", "mine", "--check"]);
    expect(human.status).toBe(1);
    expect(human.stderr).toContain("kubeforge talos gen secrets --cluster clusters/mine --from");
    // The recovery as printed works: the bundle comes back from node-1's config and build goes on with the same PKI.
    const recover = kubeforge([
      "talos",
      "gen",
      "secrets",
      "--cluster",
      "clusters/mine",
      "--from",
      "clusters/mine/talos/generated/node-1.sops.yaml",
    ]);
    expect(recover.status, recover.stderr).toBe(0);
    const rebuilt = kubeforge(["build", "mine"]);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(decrypted("node-1")).toContain("disk: /dev/nvme0n1");
  } finally {
    restore();
    rmSync(bundle, { force: true });
    renameSync(aside, bundle);
  }
  const back = kubeforge(["build", "mine"]);
  expect(back.status, back.stderr).toBe(0);
  expect(decrypted("node-1")).toContain("disk: /dev/sda");
}, 240_000);

it("refuses a name that is not the folder's (Flux would sync a path that does not exist), before writing", () => {
  const restore = editDefinition((text) => text.replace('name: "mine"', 'name: "other"'));
  try {
    const before = snapshot();
    for (const args of [
      ["build", "mine"],
      ["build", "mine", "--check"],
    ]) {
      // Before the fix: exit 0 and gotk-sync.yaml said `path: ./clusters/other/flux`.
      const result = kubeforge(args);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'clusters/mine/cluster.ts: name: "other" differs from its folder clusters/mine/, so Flux would sync ./clusters/other/flux',
      );
      expect(result.stderr).toContain('set `name: "mine"` again, or move the folder to clusters/other/');
      expect(result.stderr).toContain("clusterName");
      expect(result.stderr).not.toContain("    at ");
    }
    expect(snapshot()).toEqual(before);
  } finally {
    restore();
  }
}, 240_000);

it("removes the config of a node that is gone, says so, and --check names it first; never other files", () => {
  const generated = path.join(dir, "talos", "generated");
  // Not build's: a file someone put there, and a SOPS file (to the cluster's key) that is not a machine config.
  writeFileSync(path.join(generated, "README.md"), "notes\n");
  cpSync(path.join(dir, "git-deploy-key.sops.yaml"), path.join(generated, "extra.sops.yaml"));
  const restore = editDefinition((text) => text.replace('"node-3"', '"node-4"'));
  try {
    // Before the fix: --check said nothing of node-3.sops.yaml and build left it (the full PKI) in place.
    const check = kubeforge(["build", "mine", "--check", "--json"]);
    expect(check.status, check.stdout + check.stderr).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.upToDate).toBe(false);
    expect(report.talosOrphans).toEqual(["clusters/mine/talos/generated/node-3.sops.yaml"]);
    const human = kubeforge(["build", "mine", "--check"]);
    expect(human.stderr).toContain(
      "stale Talos output: clusters/mine/talos/generated/node-3.sops.yaml: node-3 is not a node of the cluster definition — run `kubeforge build clusters/mine` to remove it",
    );
    const built = kubeforge(["build", "mine"]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain(
      "mine: removed clusters/mine/talos/generated/node-3.sops.yaml: node-3 is no longer a node of the cluster definition",
    );
    expect(readdirSync(generated).sort()).toEqual([
      "README.md",
      "extra.sops.yaml",
      "node-1.sops.yaml",
      "node-2.sops.yaml",
      "node-4.sops.yaml",
      "talosconfig.sops.yaml",
    ]);
    expect(existsSync(bundle)).toBe(true);
    const clean = kubeforge(["build", "mine", "--check", "--json"]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).talosOrphans).toEqual([]);
  } finally {
    restore();
    rmSync(path.join(generated, "README.md"), { force: true });
    rmSync(path.join(generated, "extra.sops.yaml"), { force: true });
  }
  const back = kubeforge(["build", "mine"]);
  expect(back.status, back.stderr).toBe(0);
  expect(existsSync(path.join(generated, "node-4.sops.yaml"))).toBe(false);
}, 240_000);

it("names the out-of-date flux/ files with the right plural", () => {
  const sync = path.join(dir, "flux", "flux-system", "gotk-sync.yaml");
  const before = readFileSync(sync, "utf8");
  writeFileSync(sync, `${before}# hand edit\n`);
  try {
    // Before the fix: "(1 files)" and no name.
    const result = kubeforge(["build", "mine", "--check"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "mine: flux/ or bootstrap/ is out of date (1 file: flux/flux-system/gotk-sync.yaml): run `kubeforge build clusters/mine`",
    );
  } finally {
    writeFileSync(sync, before);
  }
}, 240_000);
