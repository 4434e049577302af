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
const runIn = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8" });

function clusterFile(data: unknown): string {
  const file = path.join(mkdtempSync(path.join(scratch, "kubeforge-cli-")), "cluster.yaml");
  writeFileSync(file, stringify(data));
  return file;
}

describe("kubeforge-manifests", () => {
  it("prints its version for --version and -v (was a usage error, exit 2)", () => {
    for (const flag of ["--version", "-v"]) {
      const result = run(flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^kubeforge-manifests \d+\.\d+\.\d+\n$/);
    }
  });

  it("names an unknown option and its likely spelling, not node's positional-argument advice", () => {
    const result = run("build", "--clustr", "x");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^error: unknown option --clustr \(did you mean --cluster\?\); see kubeforge-manifests --help\n/,
    );
    expect(result.stderr).not.toContain("as in '-- \"");
  });

  it("a folder without a definition, a missing file, a syntax error, bad JSON: one line each, exit 1 (were internal errors)", () => {
    const empty = mkdtempSync(path.join(scratch, "kubeforge-cli-"));
    const none = runIn(empty, "build");
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/has no cluster\.ts, cluster\.yaml, cluster\.yml, cluster\.json — pass a cluster\.ts/);
    const missing = runIn(empty, "build", "--cluster", "nope.ts");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("nope.ts: does not exist — pass a cluster.ts");
    writeFileSync(
      path.join(empty, "cluster.ts"),
      'export default {\n  name: "lab",\n  api: { vip: "10.0.0.10" ],\n};\n',
    );
    const syntax = runIn(empty, "build", "--cluster", "cluster.ts");
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toBe(
      'error: cluster.ts is not a valid cluster definition:\n  cluster.ts: line 3:27: syntax error: Unexpected token, expected "," — fix the TypeScript syntax (an editor or `pnpm exec tsc --noEmit` shows it too)\n',
    );
    writeFileSync(path.join(empty, "cluster.json"), '{\n  "name": "lab",\n}\n');
    const json = runIn(empty, "build", "--cluster", "cluster.json");
    expect(json.status).toBe(1);
    expect(json.stderr).toMatch(
      /^error: cluster\.json is not a valid cluster definition:\n {2}cluster\.json: line 3:1: invalid JSON: /,
    );
    for (const result of [none, missing, syntax, json]) expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("takes a folder as --cluster and builds the definition in it (was EISDIR)", () => {
    const file = clusterFile(fixtureInput());
    const result = run("build", "--cluster", path.dirname(file));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^lab: 72 objects in .* written/);
  });

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
