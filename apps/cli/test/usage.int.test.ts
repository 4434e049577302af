// Small usage fixes of the built CLI: --version, secrets usage, bootstrap's order of checks, init's key file on bad
// values, and delegated help naming `kubeforge <command>`.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const repo = path.resolve(app, "../..");
const bin = path.join(app, "bin", "kubeforge.mjs");
let work: string;

function kubeforge(args: string[], cwd = app, env: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, NODE_PATH: _nodePath, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...rest, ...env } });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "kubeforge-usage-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it("prints its version for --version, -v and -V, as every kubeforge CLI does (-v was refused)", () => {
  const { version } = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-v", "-V"]) {
    const result = kubeforge([flag]);
    expect(result.status, flag).toBe(0);
    expect(result.stdout).toBe(`kubeforge ${version}\n`);
  }
});

it("refuses a stray argument instead of ignoring it (build mine extra built mine, exit 0)", () => {
  const result = kubeforge(["build", "mine", "extra"]);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('build: unexpected argument "extra"');
});

it("takes --cluster as the package CLIs do (build --cluster x was an unknown option), and refuses two clusters", () => {
  const named = kubeforge(["build", "--cluster", "no-such-cluster"]);
  expect(named.stderr).not.toContain("unknown option");
  expect(named.stderr).toContain("no-such-cluster");
  const twice = kubeforge(["build", "mine", "--cluster", "other"]);
  expect(twice.status).toBe(2);
  expect(twice.stderr).toContain("build: the cluster is given twice (mine and --cluster other)");
});

it("exits 2 with usage for `secrets` without a verb or without a file", () => {
  const none = kubeforge(["secrets"]);
  expect(none.status).toBe(2);
  expect(none.stderr).toContain("usage: kubeforge secrets <encrypt|decrypt");
  const noFile = kubeforge(["secrets", "decrypt"]);
  expect(noFile.status).toBe(2);
  expect(noFile.stderr).toContain("secrets decrypt needs a file");
});

it("reports a missing cluster before missing tools in bootstrap", () => {
  const result = kubeforge(["bootstrap", "no-such-cluster"], work, { PATH: path.dirname(process.execPath) });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain("no-such-cluster");
  expect(result.stderr).not.toMatch(/talosctl|kubectl|helm/);
});

it("names `kubeforge talos` in `talos apply --help`", () => {
  const result = kubeforge(["talos", "apply", "--help"]);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("Usage: kubeforge talos <command>");
  expect(result.stdout).not.toContain("kubeforge-talos");
});

it("creates no age key file when init's values are invalid", () => {
  const root = path.join(work, "repo");
  mkdirSync(path.join(root, "clusters"), { recursive: true });
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  const keyFile = path.join(work, "keys", "keys.txt");
  const result = kubeforge(
    [
      "init",
      "mine",
      "--age-key-file",
      keyFile,
      "--node",
      "192.168.5.11,aa:bb:cc:dd:ee:01",
      "--gateway",
      "192.168.5.1",
      "--vip",
      "10.9.9.9",
      "--oidc-issuer",
      "http://not-https.example.com",
      "--git-url",
      "git@github.com:me/lab.git",
      "--skip-install",
    ],
    root,
  );
  expect(result.status, result.stderr).not.toBe(0);
  expect(result.stderr).not.toContain("    at ");
  expect(existsSync(keyFile)).toBe(false);
  expect(existsSync(path.join(root, "clusters", "mine"))).toBe(false);
});

it("exits as doctor's help says (2 error, 1 findings): an unknown cluster or one without a kubeconfig is an error", () => {
  const unknown = kubeforge(["doctor", "no-such-cluster"], repo);
  expect(unknown.status, unknown.stderr).toBe(2);
  expect(unknown.stderr).toContain("no-such-cluster: is neither a path nor a cluster under clusters/");
  // a cluster bootstrap has not run for: no .kubeforge/kubeconfig, so nothing was checked
  const cluster = path.join(work, "lab");
  mkdirSync(cluster, { recursive: true });
  writeFileSync(path.join(cluster, "cluster.yaml"), "name: lab\n");
  const noKubeconfig = kubeforge(["doctor", cluster], work);
  expect(noKubeconfig.status, noKubeconfig.stderr).toBe(2);
  expect(noKubeconfig.stderr).toContain("lab/.kubeforge/kubeconfig does not exist");
  expect(noKubeconfig.stderr).toContain("fix: run `kubeforge bootstrap");
});

it("exits 2 for `validate <unknown cluster>`, as its help and kubeforge-validate do", () => {
  const result = kubeforge(["validate", "no-such-cluster"], repo);
  expect(result.status, result.stderr).toBe(2);
  expect(result.stderr).toContain("no-such-cluster: is neither a path nor a cluster under clusters/");
  expect(result.stderr).not.toContain("internal error");
  const validateBin = path.join(repo, "apps", "validate", "bin", "kubeforge-validate.mjs");
  const direct = spawnSync(process.execPath, [validateBin, "no-such-cluster"], { cwd: repo, encoding: "utf8" });
  expect(direct.status).toBe(result.status);
});
