// Runs the built kubeforge-sops bin in a child process (tests need `pnpm build` first, as turbo does).
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "./shared.js";

export const binPath = path.join(packageRoot, "bin/kubeforge-sops.mjs");

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A CLI run that takes longer than this is killed and the test fails naming it: a synchronous spawn
 * cannot be interrupted by vitest's test timeout, so a hung child would otherwise hang the whole suite. */
export const CLI_TIMEOUT_MS = 180_000;

export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [binPath, ...args], {
    // outside the repository by default, so its .sops.yaml (stores, rules) does not apply
    cwd: options.cwd ?? os.tmpdir(),
    // HOME and XDG_CONFIG_HOME point nowhere so a developer's own keys.txt never leaks into tests
    env: { PATH: process.env.PATH, HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent", ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    timeout: CLI_TIMEOUT_MS,
    killSignal: "SIGKILL",
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why = code === "ETIMEDOUT" ? `killed after ${CLI_TIMEOUT_MS / 1000} s` : (code ?? result.error.message);
    const stderr = result.stderr?.toString("utf8") ?? "";
    throw new Error(`kubeforge-sops ${args.join(" ")} did not finish (${why}); its stderr so far:\n${stderr}`);
  }
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}
