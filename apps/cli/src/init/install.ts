// init's `pnpm install`: registers the new cluster in the workspace and lockfile. pnpm prints its ERR_PNPM_… lines on
// stdout, so a failure shows both streams, and says how to carry on (init's files are already written).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CliError } from "../errors.js";

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
  try {
    await (options.exec ?? defaultExec)("pnpm", ["install", "--prefer-offline"], { cwd: repoRoot });
  } catch (cause) {
    const { stdout, stderr, code } = cause as { stdout?: string; stderr?: string; code?: unknown };
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
