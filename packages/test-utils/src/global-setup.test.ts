import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import setup, { openRunTempDir, RUN_TEMP_PREFIX, TEMP_VARIABLES } from "./global-setup.js";

const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-gs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const freshBase = (name: string) => {
  const base = path.join(scratch, name);
  mkdirSync(base);
  return base;
};

describe("openRunTempDir", () => {
  it("creates a fresh folder under the base and points TMPDIR, TMP and TEMP at it", () => {
    const base = freshBase("open");
    const env: NodeJS.ProcessEnv = { TMPDIR: "/somewhere", PATH: "/bin" };
    const run = openRunTempDir({ base, env });
    expect(path.dirname(run.dir)).toBe(base);
    expect(path.basename(run.dir).startsWith(RUN_TEMP_PREFIX)).toBe(true);
    expect(statSync(run.dir).isDirectory()).toBe(true);
    for (const name of TEMP_VARIABLES) expect(env[name]).toBe(run.dir);
    run.close();
  });

  it("removes the folder with everything in it and restores the variables, set or not", () => {
    const base = freshBase("close");
    const env: NodeJS.ProcessEnv = { TMPDIR: "/somewhere", PATH: "/bin" };
    const run = openRunTempDir({ base, env });
    mkdirSync(path.join(run.dir, "left", "behind"), { recursive: true });
    run.close();
    expect(existsSync(run.dir)).toBe(false);
    expect(env).toEqual({ TMPDIR: "/somewhere", PATH: "/bin" });
  });

  it("does not fail when the folder is already gone or close runs twice", () => {
    const run = openRunTempDir({ base: freshBase("gone"), env: {} });
    rmSync(run.dir, { recursive: true });
    expect(() => run.close()).not.toThrow();
    expect(() => run.close()).not.toThrow();
  });

  it("is what os.tmpdir() returns while open (the default: process.env)", () => {
    const before = tmpdir();
    const run = openRunTempDir({ base: freshBase("process") });
    try {
      expect(tmpdir()).toBe(run.dir);
    } finally {
      run.close();
    }
    expect(tmpdir()).toBe(before);
    expect(existsSync(run.dir)).toBe(false);
  });
});

describe("the default export, as vitest's globalSetup", () => {
  it("returns a teardown that removes the folder it made", () => {
    const base = freshBase("default");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = base;
    try {
      const teardown = setup();
      const dir = tmpdir();
      expect(path.dirname(dir)).toBe(base);
      teardown();
      expect(existsSync(dir)).toBe(false);
      expect(process.env.TMPDIR).toBe(base);
    } finally {
      process.env.TMPDIR = saved;
    }
  });
});

// A real vitest run of a one-file project: proves that what globalSetup sets in process.env reaches the
// workers (forks and threads) and the processes they spawn, and that nothing is left after the run.
describe.each(["forks", "threads"])("a vitest run in the %s pool", (pool) => {
  it("gives workers and their children the per-run folder and removes it at the end", async () => {
    const base = freshBase(`run-${pool}`);
    const report = path.join(scratch, `report-${pool}.json`);
    const vitest = path.join(path.dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
    await execa(process.execPath, [vitest, "run", `--pool=${pool}`], {
      cwd: path.join(import.meta.dirname, "../test/fixtures/run-temp-dir"),
      env: { TMPDIR: base, TMP: base, TEMP: base, PROBE_REPORT: report },
    });
    const seen = JSON.parse(readFileSync(report, "utf8"));
    expect(path.dirname(seen.worker)).toBe(base);
    expect(path.basename(seen.worker).startsWith(RUN_TEMP_PREFIX)).toBe(true);
    expect(seen.env).toEqual({ TMPDIR: seen.worker, TMP: seen.worker, TEMP: seen.worker });
    expect(seen.child).toBe(seen.worker);
    expect(path.dirname(seen.made)).toBe(seen.worker);
    expect(readdirSync(base)).toEqual([]);
  });
});
