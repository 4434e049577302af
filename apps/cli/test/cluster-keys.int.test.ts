// Each cluster's own age key, end to end: validate, secrets and talos on copies of homelab inside apps/cli (so
// cluster.ts resolves @kubeforge/config). No network: --offline --no-charts --no-kustomize, apply only --dry-run.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP as app, BIN as bin, REPO as repo } from "./harness.js";

const DEMO_KEY = path.join(repo, "demo-keys", "age.agekey");
const OFFLINE = ["--offline", "--no-charts", "--no-kustomize"];

let work: string;
let keys: string;

/** kubeforge with no age key in the environment (and a HOME without ~/.config/sops), unless `env` gives one. */
function kubeforge(args: string[], cwd: string, env: Record<string, string> = {}) {
  const {
    SOPS_AGE_KEY_FILE: _file,
    SOPS_AGE_KEY: _key,
    SOPS_AGE_KEY_CMD: _cmd,
    NODE_PATH: _path,
    ...rest
  } = process.env;
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...rest, HOME: keys, ...env } });
}

/** clusters/<name>: a copy of homelab (encrypted to the demo key), with a saved key pointer when `savedKey` is given. */
function cluster(name: string, savedKey?: string): string {
  const dir = path.join(work, "clusters", name);
  for (const entry of ["cluster.ts", "talos", "secrets", "flux", "bootstrap"])
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(dir, entry), { recursive: true });
  if (savedKey !== undefined) {
    mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
    writeFileSync(path.join(dir, ".kubeforge", "age-key-file"), `${savedKey}\n`);
  }
  return dir;
}

/** The files a kubeforge-validate report lists a talos-schema finding for. */
function talosFindings(stdout: string): string[] {
  const files: string[] = [];
  let file = "";
  for (const line of stdout.split("\n")) {
    if (line && !line.startsWith(" ")) file = line;
    else if (line.includes("talos-schema")) files.push(file);
  }
  return files;
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-keys-"));
  keys = mkdtempSync(path.join(tmpdir(), "kubeforge-keys-"));
  writeFileSync(path.join(work, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  // mine's saved key opens its files (a copy of the demo key); stray's saved key is a fresh one that opens nothing.
  copyFileSync(DEMO_KEY, path.join(keys, "mine.txt"));
  execFileSync("age-keygen", ["-o", path.join(keys, "stray.txt")], { stdio: "ignore" });
  cluster("home");
  cluster("mine", path.join(keys, "mine.txt"));
  cluster("stray", path.join(keys, "stray.txt"));
  cluster("lost", path.join(keys, "moved-away.txt"));
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

describe("kubeforge validate", () => {
  it("checks a cluster's encrypted Talos configs with its saved key even when it is not the first cluster", () => {
    const result = kubeforge(["validate", ...OFFLINE, "clusters/home", "clusters/mine"], work);
    expect(result.status, result.stderr).toBe(0);
    const findings = talosFindings(result.stdout);
    expect(findings.filter((file) => file.startsWith("clusters/mine/"))).toEqual([]);
    expect(findings.filter((file) => file.startsWith("clusters/home/")).length).toBeGreaterThan(0);
    // The run says loudly what it could not check, and for which cluster.
    expect(result.stderr).toMatch(/\d+ files? NOT checked \(no key\): .*clusters\/home \(\d+\)/);
    expect(result.stderr).not.toContain("clusters/mine (");
  });

  it("keeps the user's SOPS_AGE_KEY_FILE for a cluster without a saved key, beside one with its own key", () => {
    const result = kubeforge(["validate", ...OFFLINE, "clusters/stray", "clusters/home"], work, {
      SOPS_AGE_KEY_FILE: DEMO_KEY,
    });
    expect(result.status, result.stderr).toBe(0);
    const findings = talosFindings(result.stdout);
    // home opens with the exported demo key: nothing unchecked there.
    expect(findings.filter((file) => file.startsWith("clusters/home/"))).toEqual([]);
    // stray's own (wrong) key never lends itself to home, and what it could not open is counted.
    expect(findings.filter((file) => file.startsWith("clusters/stray/")).length).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/NOT checked \(no key\): .*clusters\/stray \(\d+\)/);
    expect(result.stderr).not.toContain("clusters/home (");
  });

  it("prints one JSON document for clusters with different keys, listing the files not checked", () => {
    const result = kubeforge(["validate", ...OFFLINE, "--json", "clusters/home", "clusters/mine"], work);
    expect(result.status, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as { reports: { target: string }[]; notChecked: string[] };
    expect(body.reports.map((report) => report.target)).toEqual(["clusters/home", "clusters/mine"]);
    expect(body.notChecked.length).toBeGreaterThan(0);
    expect(body.notChecked.every((file) => file.startsWith("clusters/home/"))).toBe(true);
  });

  it("fails with --strict when encrypted Talos configs could not be checked", () => {
    const result = kubeforge(["validate", ...OFFLINE, "--strict", "clusters/home"], work);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("NOT checked (no key)");
  });
});

describe("a saved key that is gone", () => {
  it("is named, with its pointer file and the fix, when secrets cannot decrypt", () => {
    const result = kubeforge(["secrets", "decrypt", "clusters/lost/talos/talsecret.sops.yaml"], work);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${path.join("clusters", "lost", ".kubeforge", "age-key-file")} names the age key`);
    expect(result.stderr).toContain(`${path.join(keys, "moved-away.txt")}, which does not exist`);
    expect(result.stderr).toContain("fix: put the key back at");
    expect(result.stderr).not.toContain("    at ");
  });
});

describe("kubeforge talos inside a cluster folder", () => {
  it("validates an encrypted config with the cluster's saved key", () => {
    const result = kubeforge(
      ["talos", "validate", "talos/generated/node-1.sops.yaml"],
      path.join(work, "clusters", "mine"),
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("node-1.sops.yaml: valid against the Talos");
  });

  it("finds the cluster and its key for gen config from the current folder", () => {
    const result = kubeforge(["talos", "gen", "config", "--check"], path.join(work, "clusters", "mine"));
    expect(result.status, result.stderr).toBe(0);
  });

  it("prints next steps that work as printed", () => {
    const cwd = path.join(work, "clusters", "mine", "talos");
    const result = kubeforge(["talos", "apply", "--dry-run"], cwd);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("kubeforge-talos");
    const step = /kubeforge talos (gen config --cluster \S+ --plaintext)/.exec(result.stdout);
    expect(step, result.stdout).not.toBeNull();
    const next = kubeforge(["talos", ...(step?.[1] ?? "").split(" ")], cwd);
    expect(next.status, next.stderr).toBe(0);
  });
});
