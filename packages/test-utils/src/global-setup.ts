// Vitest globalSetup of every package: one fresh folder per test run becomes the run's TMPDIR (TMP, TEMP),
// so os.tmpdir() in every worker and every spawned tool points into it, and the whole folder is removed
// when the run ends — a test that forgets its own cleanup no longer leaves folders in the user's /tmp.
// Vitest builds each worker's environment from process.env when the run's files start, after globalSetup
// has run, so setting process.env here reaches the forks and threads (test/global-setup.test.ts checks it).
// Imports node built-ins only: packages that test-utils itself depends on (config, sops, validate) load it
// by path without a workspace dependency that would make a cycle.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The variables Node's os.tmpdir() and most tools read, in the order Node reads them. */
export const TEMP_VARIABLES = ["TMPDIR", "TMP", "TEMP"] as const;

/** The name every per-run folder starts with; short, as a unix socket's whole path must fit in 107 bytes. */
export const RUN_TEMP_PREFIX = "kubeforge-test-";

export interface RunTempDir {
  /** The per-run folder, the run's TMPDIR. */
  readonly dir: string;
  /** Removes the folder and everything in it and restores the variables; safe to call twice. */
  close(): void;
}

export interface OpenRunTempDirOptions {
  /** Where the per-run folder is created. @default os.tmpdir() when opened */
  readonly base?: string;
  /** The environment that gets TMPDIR, TMP and TEMP. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Creates the per-run folder and points TMPDIR, TMP and TEMP of `env` at it. */
export function openRunTempDir(options: OpenRunTempDirOptions = {}): RunTempDir {
  const env = options.env ?? process.env;
  const dir = mkdtempSync(path.join(options.base ?? tmpdir(), RUN_TEMP_PREFIX));
  const saved = TEMP_VARIABLES.map((name) => [name, env[name]] as const);
  for (const name of TEMP_VARIABLES) env[name] = dir;
  let closed = false;
  return {
    dir,
    close() {
      if (closed) return;
      closed = true;
      for (const [name, value] of saved) {
        if (value === undefined) delete env[name];
        else env[name] = value;
      }
      // force: a folder already gone is fine; retries: a child still exiting may write its last file late.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Vitest's globalSetup entry: opens the per-run folder and returns the teardown that removes it. */
export default function setup(): () => void {
  const run = openRunTempDir();
  // A run that ends without teardown (an error in another globalSetup, process.exit) still cleans up.
  const onExit = () => run.close();
  process.once("exit", onExit);
  return () => {
    process.off("exit", onExit);
    run.close();
  };
}
