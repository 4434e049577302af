// init's `pnpm install`: registers the new cluster in the workspace and lockfile. pnpm prints its ERR_PNPM_… lines on
// stdout, so a failure shows both streams, and says how to carry on (init's files are already written). Ctrl-C (or
// SIGTERM/SIGHUP) during the install says the same next step on the way out.
import { execFile } from "node:child_process";
import { constants } from "node:os";
import { promisify } from "node:util";
import { CliError } from "../errors.js";
import { guardInterrupts } from "../interrupts.js";

export type Exec = (
  command: string,
  args: readonly string[],
  options: { cwd: string },
) => Promise<{ stdout: string; stderr: string }>;

const defaultExec: Exec = (command, args, options) =>
  promisify(execFile)(command, [...args], { ...options, maxBuffer: 64 << 20, encoding: "utf8" });

const tail = (text: string | undefined, lines: number) =>
  (text ?? "")
    .trimEnd()
    .split("\n")
    .filter((line) => line.trim())
    .slice(-lines)
    .join("\n");

export async function pnpmInstall(
  repoRoot: string,
  name: string,
  options: { exec?: Exec; deployKeyFile?: string } = {},
): Promise<void> {
  const next = `pnpm install && kubeforge build ${name} && kubeforge validate ${name}`;
  const guard = guardInterrupts({
    message: ({ signal }) =>
      `\n${signal}: init stopped during \`pnpm install\`; clusters/${name}/ is complete but not registered in the workspace yet.\nNext: run \`${next}\`\n`,
  });
  try {
    await (options.exec ?? defaultExec)("pnpm", ["install", "--prefer-offline"], { cwd: repoRoot });
    guard.release();
  } catch (cause) {
    const { stdout, stderr, code, signal } = cause as {
      stdout?: string;
      stderr?: string;
      code?: unknown;
      signal?: string | null;
    };
    if (signal) {
      // Ctrl-C reaches pnpm and init together; the guard stays so init's own signal still ends it with the message.
      throw new CliError(
        "E_TOOL_FAILED",
        `pnpm install was stopped by ${signal}; clusters/${name}/ is complete but not registered in the workspace yet`,
        `run \`${next}\``,
        { cause, exitCode: 128 + (constants.signals[signal as NodeJS.Signals] ?? 0) },
      );
    }
    guard.release();
    const output = [tail(stdout, 15), tail(stderr, 15)].filter(Boolean).join("\n");
    const reason = code === "ENOENT" ? "pnpm is not installed" : output || String((cause as Error).message ?? cause);
    const publicKey = options.deployKeyFile
      ? ` The deploy public key was printed above; get it back with \`kubeforge secrets decrypt ${options.deployKeyFile}\` (stringData.identity.pub).`
      : "";
    throw new CliError(
      "E_TOOL_FAILED",
      `pnpm install failed (clusters/${name}/ was created and is kept):\n${reason}`,
      `fix the error above, then run \`pnpm install && kubeforge build ${name}\`.${publicKey}`,
      { cause },
    );
  }
}
