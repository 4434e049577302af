// The built CLI's arguments and bad definitions: no tools needed, so not an integration test. Run after `pnpm build`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-cli-args-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const binFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/kubeforge-talos.mjs");
const run = (args: string[], cwd = scratch) =>
  execa("node", [binFile, ...args], { cwd, reject: false, env: { HOME: scratch }, extendEnv: false });

describe("kubeforge-talos arguments", () => {
  it("prints its version for --version and -v (was a usage error, exit 2)", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await run([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^kubeforge-talos \d+\.\d+\.\d+$/);
    }
  });

  it("names an unknown option and its likely spelling, not node's positional-argument advice", async () => {
    const result = await run(["gen", "config", "--plaintxt"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: unknown option --plaintxt \(did you mean --plaintext\?\); see kubeforge-talos --help\n/,
    );
    expect(result.stderr).not.toContain("as in '-- \"");
  });

  it("no definition here, a syntax error, a folder: one line naming the file, exit 1 (were internal errors)", async () => {
    const dir = mkdtempSync(path.join(scratch, "cluster-"));
    const none = await run(["gen", "config"], dir);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(
      `${dir}: has no cluster.ts, cluster.yaml, cluster.yml, cluster.json — pass a cluster.ts`,
    );
    expect((await run(["gen", "confg"], dir)).exitCode).toBe(2);
    mkdirSync(path.join(dir, "mine"));
    writeFileSync(
      path.join(dir, "mine", "cluster.ts"),
      'export default {\n  name: "lab",\n  api: { vip: "10.0.0.10" ],\n};\n',
    );
    // A folder is taken as the definition in it, as `kubeforge` takes it.
    for (const cluster of ["mine", "mine/cluster.ts"]) {
      const syntax = await run(["gen", "config", "--cluster", cluster], dir);
      expect(syntax.exitCode).toBe(1);
      expect(syntax.stderr).toBe(
        'error: mine/cluster.ts is not a valid cluster definition:\n  mine/cluster.ts: line 3:27: syntax error: Unexpected token, expected "," — fix the TypeScript syntax (an editor or `pnpm exec tsc --noEmit` shows it too)',
      );
    }
    const empty = await run(["gen", "config", "--cluster", "."], mkdtempSync(path.join(scratch, "empty-")));
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toContain("has no cluster.ts, cluster.yaml, cluster.yml, cluster.json");
    for (const result of [none, empty]) expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
