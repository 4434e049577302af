// Hands the process to a package's own CLI (its bin), so `kubeforge talos …` is exactly `kubeforge-talos …`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DELEGATED, type RunResult } from "@kubeforge/cli-kit";

export function binFile(packageName: string, binName: string): string {
  const require = createRequire(import.meta.url);
  const manifestFile = require.resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { bin?: string | Record<string, string> };
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[binName];
  if (!relative) throw new Error(`${packageName} has no bin ${binName}`);
  return path.resolve(path.dirname(manifestFile), relative);
}

/** Runs `binName` of `packageName` in this process with `args`; it prints and sets the exit code itself. */
export async function delegateTo(packageName: string, binName: string, args: readonly string[]): Promise<RunResult> {
  const file = binFile(packageName, binName);
  process.argv = [process.argv[0] ?? "node", file, ...args];
  await import(pathToFileURL(file).href);
  return DELEGATED;
}

/** Rewrites a package CLI's own name in its help to the way the user called it (`kubeforge-talos` → `kubeforge talos`). */
export function renameInHelp(text: string, binName: string, invocation: string): string {
  return text.replace(new RegExp(`(?<![\\w-])${binName}(?![\\w-])`, "g"), invocation);
}

/**
 * `--help` of a delegated command: the package CLI runs as a child so its usage can name `kubeforge <command>`
 * instead of its own bin; other calls go to delegateTo.
 */
export async function delegateWithHelp(
  packageName: string,
  binName: string,
  args: readonly string[],
  invocation: string,
): Promise<RunResult> {
  if (!args.includes("--help") && !args.includes("-h")) return delegateTo(packageName, binName, args);
  const { execa } = await import("execa");
  const result = await execa(process.execPath, [binFile(packageName, binName), ...args], {
    reject: false,
    stdin: "ignore",
  });
  if (result.stdout) process.stdout.write(`${renameInHelp(result.stdout, binName, invocation)}\n`);
  if (result.stderr) process.stderr.write(`${renameInHelp(result.stderr, binName, invocation)}\n`);
  return result.exitCode ?? 2;
}
