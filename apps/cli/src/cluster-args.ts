// Cluster arguments as users type them (a file, a folder, a name under clusters/) and the age key that goes with them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Per-cluster, gitignored pointer to the age key file `kubeforge init` used (the key itself never lives in the repo). */
export const AGE_KEY_POINTER = path.join(".kubeforge", "age-key-file");

/** What a cluster's saved-key pointer says: the pointer file, the key file it names, and whether that key exists. */
export interface SavedAgeKey {
  readonly pointer: string;
  readonly file: string;
  readonly exists: boolean;
}

/** Reads clusters/<name>/.kubeforge/age-key-file, if the cluster has one (and it names a file). */
export function readSavedAgeKey(clusterDir: string): SavedAgeKey | undefined {
  const pointer = path.join(clusterDir, AGE_KEY_POINTER);
  if (!existsSync(pointer)) return undefined;
  const file = readFileSync(pointer, "utf8").trim();
  if (!file) return undefined;
  return { pointer, file, exists: existsSync(file) };
}

/** The age key file `kubeforge init` saved for the cluster (clusters/<name>/.kubeforge/age-key-file), if it exists. */
export function savedAgeKeyOf(clusterDir: string): string | undefined {
  const saved = readSavedAgeKey(clusterDir);
  return saved?.exists ? saved.file : undefined;
}

/** The warning for a pointer whose key file is gone: both paths and the two ways out. */
export function describeMissingKey(saved: SavedAgeKey): string {
  const pointer = path.relative(process.cwd(), saved.pointer) || saved.pointer;
  return (
    `warning: ${pointer} names the age key ${saved.file}, which does not exist — the key is looked for in the usual places instead (SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt …)\n` +
    `  fix: put the key back at ${saved.file}, or write its new path into ${pointer}\n`
  );
}

/**
 * Sets SOPS_AGE_KEY_FILE to the cluster's saved key, so build, validate and secrets find the key `init` was given.
 * The saved key belongs to this cluster, so it wins over an exported SOPS_AGE_KEY_FILE (which may be another
 * cluster's); that override is said on stderr, naming both. SOPS_AGE_KEY / SOPS_AGE_KEY_CMD are left as they are
 * (sops combines them with the file). Without a saved key nothing changes; a saved pointer whose key file is gone is
 * warned about (naming the pointer and the missing key), since SOPS' own error only lists the places it looked.
 */
export function useClusterAgeKey(
  clusterDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (text: string) => void = (text) => process.stderr.write(text),
): string | undefined {
  const saved = readSavedAgeKey(clusterDir);
  if (!saved) return undefined;
  if (!saved.exists) {
    warn(describeMissingKey(saved));
    return undefined;
  }
  const file = saved.file;
  const exported = env.SOPS_AGE_KEY_FILE;
  if (exported && path.resolve(exported) !== path.resolve(file))
    warn(
      `note: using ${file} (saved for ${path.basename(path.resolve(clusterDir))} in ${path.join(clusterDir, AGE_KEY_POINTER)}) instead of SOPS_AGE_KEY_FILE=${exported}\n`,
    );
  env.SOPS_AGE_KEY_FILE = file;
  return file;
}

/** True when the arguments carry `--cluster <x>` or `--cluster=<x>`. */
export const hasClusterFlag = (argv: readonly string[]) =>
  argv.some((arg) => arg === "--cluster" || arg.startsWith("--cluster="));

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

const DEFINITION_FILES = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"];

/** The cluster folder at or above `dir` (the nearest one with a cluster definition), stopping at the repository root. */
export function clusterDirAt(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (DEFINITION_FILES.some((name) => existsSync(path.join(current, name)))) return current;
    if (existsSync(path.join(current, "pnpm-workspace.yaml")) || path.dirname(current) === current) return undefined;
  }
}

/**
 * Points SOPS_AGE_KEY_FILE at the saved key of the cluster the existing `files` belong to. One process has one key
 * file: files of two clusters that each have a saved key are refused (never open one cluster's files with another's).
 */
export async function useKeyOfFiles(
  files: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; hint: string },
): Promise<{ clusterDir: string; keyFile: string } | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const dirs = [
    ...new Set(
      files
        .filter((file) => existsSync(path.resolve(cwd, file)))
        .map((file) => clusterDirOf(path.resolve(cwd, file)))
        .filter((dir) => dir !== undefined),
    ),
  ];
  const keyed = dirs.filter((dir) => readSavedAgeKey(dir) !== undefined);
  if (keyed.length > 1) {
    const { CliError } = await import("./errors.js");
    throw new CliError(
      "E_USAGE",
      `the files belong to clusters with their own saved age keys: ${keyed.map((dir) => path.relative(cwd, dir) || ".").join(", ")}`,
      options.hint,
    );
  }
  if (!keyed[0]) return undefined;
  const keyFile = useClusterAgeKey(keyed[0], options.env);
  return keyFile ? { clusterDir: keyed[0], keyFile } : undefined;
}

/** The cluster folder holding `file` (the nearest parent with a cluster definition), if any. */
export function clusterDirOf(file: string): string | undefined {
  return clusterDirAt(path.dirname(path.resolve(file)));
}

/** `file:line:col` of a load error: jiti puts it on a later line of the message (or in the stack), JSON gives a position. */
export function locateLoadError(error: unknown, file: string, text?: string): string | undefined {
  const absolute = path.resolve(file);
  const escaped = absolute.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const where = new RegExp(`${escaped}:(\\d+):(\\d+)`);
  const found = [(error as Error)?.message, (error as Error)?.stack]
    .map((part) => (typeof part === "string" ? where.exec(part) : null))
    .find((match) => match !== null);
  if (found) return `${found[1]}:${found[2]}`;
  const position = /at position (\d+)/.exec(String((error as Error)?.message ?? ""));
  if (position && text !== undefined) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    return `${line}:${before.length - before.lastIndexOf("\n")}`;
  }
  return undefined;
}

/** The fix for a definition that does not load, in the words of its file type. */
function loadHint(file: string, missingModule: boolean): string {
  if (missingModule)
    return "run `pnpm install` at the repository root so the cluster's package and its dependencies are linked";
  const extension = path.extname(file);
  if (extension === ".json") return "fix the JSON syntax there (often a missing comma, quote or brace)";
  if (extension === ".yaml" || extension === ".yml") return "fix the YAML syntax there";
  return "fix the TypeScript there (your editor, or `pnpm exec tsc --noEmit` in the cluster folder, shows every error)";
}

/**
 * loadCluster, with a definition that cannot even be imported (e.g. a new cluster whose package is not installed
 * yet, so `@kubeforge/config` does not resolve, or a syntax error) reported as one line — `file:line:col` when the
 * error says where — with its fix instead of a stack trace.
 */
export async function loadDefinition(file: string) {
  const { loadCluster } = await import("@kubeforge/config");
  try {
    return await loadCluster(file);
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === "string" && /^E_/.test((error as { code: string }).code))
      throw error;
    const { CliError } = await import("./errors.js");
    const first =
      String((error as Error).message ?? error)
        .split("\n")[0]
        ?.trim() ?? "";
    const missingModule =
      /Cannot find module|ERR_MODULE_NOT_FOUND|No "exports" main|ERR_PACKAGE_PATH_NOT_EXPORTED/.test(first);
    const text = path.extname(file) === ".json" ? readFileSync(file, "utf8") : undefined;
    const location = missingModule ? undefined : locateLoadError(error, file, text);
    const shown = path.relative(process.cwd(), file) || file;
    throw new CliError(
      "E_INPUT",
      `${location ? `${shown}:${location}` : shown} cannot be loaded: ${first}`,
      loadHint(file, missingModule),
      { cause: error },
    );
  }
}

/**
 * The cluster a one-cluster command names: its <cluster> argument, or `--cluster <x>` as the package CLIs take it
 * (undefined: the current folder). Both at once must agree.
 */
export async function clusterArgument(
  values: Readonly<Record<string, unknown>>,
  positionals: readonly string[],
  command: string,
): Promise<string | undefined> {
  const flag = typeof values.cluster === "string" ? values.cluster : undefined;
  const argument = positionals[0];
  if (flag !== undefined && argument !== undefined && path.resolve(flag) !== path.resolve(argument)) {
    const { CliError } = await import("./errors.js");
    throw new CliError(
      "E_USAGE",
      `${command}: the cluster is given twice (${argument} and --cluster ${flag})`,
      `name it once: kubeforge ${command} ${flag}`,
    );
  }
  return flag ?? argument;
}
