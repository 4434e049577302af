// Cluster arguments as users type them (a file, a folder, a name under clusters/) and the age key that goes with them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Per-cluster, gitignored pointer to the age key file `kubeforge init` used (the key itself never lives in the repo). */
export const AGE_KEY_POINTER = path.join(".kubeforge", "age-key-file");

/** The age key file `kubeforge init` saved for the cluster (clusters/<name>/.kubeforge/age-key-file), if it exists. */
export function savedAgeKeyOf(clusterDir: string): string | undefined {
  const pointer = path.join(clusterDir, AGE_KEY_POINTER);
  if (!existsSync(pointer)) return undefined;
  const file = readFileSync(pointer, "utf8").trim();
  return file && existsSync(file) ? file : undefined;
}

/**
 * Sets SOPS_AGE_KEY_FILE to the cluster's saved key, so build, validate and secrets find the key `init` was given.
 * The saved key belongs to this cluster, so it wins over an exported SOPS_AGE_KEY_FILE (which may be another
 * cluster's); that override is said on stderr, naming both. SOPS_AGE_KEY / SOPS_AGE_KEY_CMD are left as they are
 * (sops combines them with the file). Without a saved key nothing changes.
 */
export function useClusterAgeKey(
  clusterDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (text: string) => void = (text) => process.stderr.write(text),
): string | undefined {
  const file = savedAgeKeyOf(clusterDir);
  if (!file) return undefined;
  const exported = env.SOPS_AGE_KEY_FILE;
  if (exported && path.resolve(exported) !== path.resolve(file))
    warn(
      `note: using ${file} (saved for ${path.basename(path.resolve(clusterDir))} in ${path.join(clusterDir, AGE_KEY_POINTER)}) instead of SOPS_AGE_KEY_FILE=${exported}\n`,
    );
  env.SOPS_AGE_KEY_FILE = file;
  return file;
}

/** Rewrites `--cluster <x>` / `--cluster=<x>` to the definition file it names (folder or name accepted). */
export async function resolveClusterFlag(args: readonly string[]): Promise<string[]> {
  const out = [...args];
  for (let index = 0; index < out.length; index++) {
    const arg = out[index]!;
    const inline = arg.startsWith("--cluster=");
    if (arg !== "--cluster" && !inline) continue;
    const value = inline ? arg.slice("--cluster=".length) : out[index + 1];
    if (value === undefined) continue;
    const { findDefinition } = await import("@kubeforge/config");
    const file = findDefinition(value);
    useClusterAgeKey(path.dirname(file));
    if (inline) out[index] = `--cluster=${file}`;
    else out[index + 1] = file;
  }
  return out;
}

/** The cluster folder holding `file` (the nearest parent with a cluster definition), if any. */
export function clusterDirOf(file: string): string | undefined {
  for (let current = path.dirname(path.resolve(file)); ; current = path.dirname(current)) {
    if (
      ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"].some((name) => existsSync(path.join(current, name)))
    )
      return current;
    if (existsSync(path.join(current, "pnpm-workspace.yaml")) || path.dirname(current) === current) return undefined;
  }
}

/**
 * loadCluster, with a definition that cannot even be imported (e.g. a new cluster whose package is not installed
 * yet, so `@kubeforge/config` does not resolve) reported as one line with its fix instead of a stack trace.
 */
export async function loadDefinition(file: string) {
  const { loadCluster } = await import("@kubeforge/config");
  try {
    return await loadCluster(file);
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === "string" && /^E_/.test((error as { code: string }).code))
      throw error;
    const { CliError } = await import("./errors.js");
    const first = String((error as Error).message ?? error).split("\n")[0];
    const missingModule =
      /Cannot find module|ERR_MODULE_NOT_FOUND|No "exports" main|ERR_PACKAGE_PATH_NOT_EXPORTED/.test(first ?? "");
    throw new CliError(
      "E_INPUT",
      `${path.relative(process.cwd(), file) || file} cannot be loaded: ${first}`,
      missingModule
        ? "run `pnpm install` at the repository root so the cluster's package and its dependencies are linked"
        : "fix the TypeScript error in the definition",
      { cause: error },
    );
  }
}
