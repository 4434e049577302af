// Runs a real tool (age, ssh-keygen) for a test. Bounded and without a terminal: a synchronous spawn cannot
// be interrupted by vitest's test timeout, and a tool that finds a controlling terminal may prompt on
// /dev/tty (age and ssh-keygen do for passphrases) and wait forever. In its own session it cannot.
import { type SpawnSyncOptions, spawnSync } from "node:child_process";

export const TOOL_TIMEOUT_MS = 120_000;

export function runTool(command: string, args: readonly string[], input?: Uint8Array | string): Buffer {
  // `detached` (setsid) is honoured by spawnSync as by spawn, though @types/node leaves it out of its options
  const options: SpawnSyncOptions & { detached: boolean } = {
    ...(input === undefined ? {} : { input }),
    detached: true,
    timeout: TOOL_TIMEOUT_MS,
    killSignal: "SIGKILL",
  };
  const result = spawnSync(command, args, options);
  if (result.error || result.status !== 0) {
    const why = result.error
      ? `${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`
      : `exit ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(" ")} failed (${why}): ${result.stderr?.toString("utf8") ?? ""}`);
  }
  return result.stdout as Buffer;
}
