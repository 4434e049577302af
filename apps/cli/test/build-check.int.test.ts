// `kubeforge build --check` on the encrypted Talos output, on a scratch copy of homelab inside apps/cli.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const repo = path.resolve(app, "../..");
const bin = path.join(app, "bin", "kubeforge.mjs");
const demoKey = path.join(repo, "demo-keys", "age.agekey");

let work: string;
let home: string;
let dir: string;

function kubeforge(args: string[], env: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, NODE_PATH: _nodePath, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...rest, HOME: home, ...env },
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-check-"));
  home = mkdtempSync(path.join(tmpdir(), "kubeforge-home-"));
  dir = path.join(work, "lab");
  mkdirSync(dir);
  for (const entry of ["cluster.ts", "talos", "secrets"])
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(dir, entry), { recursive: true });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

it("passes while talos/generated matches the definition, and fails naming file and path after installDisk changed", () => {
  const clean = kubeforge(["build", "lab", "--check", "--json"], { SOPS_AGE_KEY_FILE: demoKey });
  expect(JSON.parse(clean.stdout).talosStale, clean.stderr).toEqual([]);
  const definition = path.join(dir, "cluster.ts");
  const node1 = path.join(dir, "talos", "generated", "node-1.sops.yaml");
  const before = readFileSync(node1, "utf8");
  writeFileSync(
    definition,
    readFileSync(definition, "utf8").replace('installDisk: { type: "nvme" }', 'installDisk: "/dev/nvme0n1"'),
  );
  // Before the fix build --check exited 0 here (for the Talos part) while node-1 kept the old disk.
  const stale = kubeforge(["build", "lab", "--check"], { SOPS_AGE_KEY_FILE: demoKey });
  expect(stale.status).toBe(1);
  expect(stale.stderr).toMatch(
    /homelab: stale Talos output: lab\/talos\/generated\/node-1\.sops\.yaml: machine\.install\.disk: absent in the committed file, \/dev\/nvme0n1 from the cluster definition — run `kubeforge build lab`/,
  );
  expect(stale.stderr).not.toContain("    at ");
  expect(readFileSync(node1, "utf8")).toBe(before);
});

it("warns that talos/generated was not checked when no age key is available", () => {
  const result = kubeforge(["build", "lab", "--check", "--json"]);
  expect(result.stderr).toMatch(/warning: homelab: talos\/generated\/ was not checked: .*SOPS_AGE_KEY_FILE/);
  expect(JSON.parse(result.stdout).talosStale).toEqual([]);
});
