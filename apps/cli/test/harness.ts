// What the CLI's integration tests share: where things are, and running a command to a known point then Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const TEST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const APP = path.resolve(TEST_DIR, "..");
export const REPO = path.resolve(APP, "../..");
export const BIN = path.join(APP, "bin", "kubeforge.mjs");
/** A stand-in that writes its first argument (a marker file) and then waits to be killed. */
export const HANG = path.join(TEST_DIR, "fakes", "hang.mjs");

/**
 * Runs `kubeforge <args>` in its own process group (Ctrl-C on a terminal reaches the whole group), waits until
 * `marker` exists (a fake wrote it at a known point: no sleeps), runs `atMarker`, sends SIGINT to the group and
 * returns the exit code with what the command printed on stderr. The group is SIGKILLed whatever happens.
 */
export async function interruptAtMarker(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; marker: string; atMarker?: () => void },
): Promise<{ code: number | null; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    detached: true,
    env: options.env,
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    while (!existsSync(options.marker)) {
      if (child.exitCode !== null) throw new Error(`kubeforge ${args[0]} ended early: ${stderr}`);
      await delay(50);
    }
    options.atMarker?.();
    process.kill(-child.pid!, "SIGINT");
    return { code: await closed, stderr };
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
