// Runs the built CLI (turbo builds before testing) as a user would.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fixtureInput } from "../test/fixture-cluster.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bin = path.resolve(import.meta.dirname, "../bin/kubeforge-manifests.mjs");
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

function clusterFile(data: unknown): string {
  const file = path.join(mkdtempSync(path.join(scratch, "kubeforge-cli-")), "cluster.yaml");
  writeFileSync(file, stringify(data));
  return file;
}

describe("kubeforge-manifests", () => {
  it("prints help", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: kubeforge-manifests build [options]");
  });

  it("builds, then --check passes; --json reports the result", () => {
    const file = clusterFile(fixtureInput());
    expect(run("build", "--cluster", file).stdout).toMatch(
      /^lab: 72 objects in .* written \(26 changed, 0 removed\)\n$/,
    );
    expect(run("build", "--cluster", file, "--check").status).toBe(0);
    const json = JSON.parse(run("build", "--cluster", file, "--json").stdout);
    expect(json).toMatchObject({ name: "lab", objects: 72, written: [], removed: [], upToDate: true });
  });

  it("--check exits 1 when the tree is out of date", () => {
    const file = clusterFile(fixtureInput());
    const result = run("build", "--cluster", file, "--check");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is out of date (26 to write, 0 to remove): run `pnpm turbo build`");
  });

  it("prints every problem of a bad definition, no stack trace, exit 1", () => {
    const file = clusterFile({ ...fixtureInput(), api: { vip: "10.0.0.1" }, nodes: fixtureInput().nodes.slice(0, 2) });
    const result = run("build", "--cluster", file);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        `error: ${file} is not a valid cluster definition:`,
        `  ${file}: api.vip: 10.0.0.1 is the gateway address — pick a free address for the VIP`,
        `  ${file}: nodes: 2 control-plane nodes; an HA cluster needs at least 3 — mark at least three nodes controlPlane: true`,
        `  ${file}: storageClasses[0].replicas: 3 replicas need 3 CubeFS datanodes; the cluster has 2 nodes — lower replicas or add nodes`,
        "",
      ].join("\n"),
    );
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("exits 2 on a usage error", () => {
    const result = run("deploy");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: unknown command: deploy");
  });
});
