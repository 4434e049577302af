// Reading definitions from disk: cluster.yaml / cluster.json, or cluster.ts via jiti.
// A definition is code: it loads with no shared compile cache and only from inside its repository.
import { existsSync } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isMap, parseDocument } from "yaml";
import type { ConfigIssue } from "./errors.js";
import { ConfigError } from "./errors.js";
import { findDefinitionPath } from "./find-definition.js";
import { definitionImportError, jsonParseError } from "./load-errors.js";
import { privateCacheDir } from "./private-cache.js";
import type { Cluster } from "./schema/cluster.js";
import { validateCluster } from "./validate.js";

export interface LoadClusterOptions {
  /**
   * Folder the definition must resolve into once symlinks are followed.
   * @default the git repository (nearest folder with `.git`) holding the path as given
   */
  readonly root?: string;
  /**
   * Load a definition whose real path lies outside `root`, e.g. one the user named on purpose.
   * @default false
   */
  readonly allowOutsideRepo?: boolean;
}

export interface LoadedCluster {
  readonly cluster: Cluster;
  readonly file: string;
  readonly warnings: readonly ConfigIssue[];
}

/** Parses cluster YAML text; syntax errors carry line and column. */
export function parseClusterYaml(text: string, file?: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      "E_CONFIG_PARSE",
      document.errors.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}:${error.linePos[0].col}` : "",
        message: (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ""),
        hint: "fix the YAML syntax",
      })),
      file,
    );
  }
  if (!isMap(document.contents)) {
    throw new ConfigError(
      "E_CONFIG_PARSE",
      [{ path: "", message: "is not a YAML mapping", hint: "start from the example in the README" }],
      file,
    );
  }
  return document.toJS();
}

async function importDefinition(file: string, shown: string): Promise<unknown> {
  const { createJiti } = await import("jiti");
  // Never jiti's default cache ($TMPDIR/jiti, or node_modules/.cache/jiti): it may be shared or
  // world-writable, and jiti trusts an entry whose trailer holds the source's hash — anyone on the
  // machine could plant code that runs here. A private 0700 cache of our own, or none at all.
  // Explicit options win over the JITI_FS_CACHE / JITI_REBUILD_FS_CACHE environment variables.
  const cache = await privateCacheDir();
  const jiti = createJiti(pathToFileURL(file).href, {
    fsCache: cache ?? false,
    rebuildFsCache: false,
    moduleCache: false,
    interopDefault: false,
  });
  let module: { default?: unknown };
  try {
    module = (await jiti.import(file)) as { default?: unknown };
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw definitionImportError(cause, file, shown);
  }
  if (module.default === undefined) {
    throw new ConfigError(
      "E_CONFIG_READ",
      [{ path: "", message: "has no default export", hint: "export default defineCluster({ … })" }],
      shown,
    );
  }
  return module.default;
}

/** Validates already-read data and throws a ConfigError naming `file` when it is invalid. */
export function resolveCluster(data: unknown, file?: string): { cluster: Cluster; warnings: ConfigIssue[] } {
  const result = validateCluster(data);
  if (!result.ok) throw new ConfigError("E_CONFIG_INVALID", result.errors, file);
  return { cluster: result.cluster, warnings: result.warnings };
}

/** The nearest folder at or above `start` that holds `.git` (a folder, or a file in a worktree). */
function findRepositoryRoot(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Refuses a definition whose real path leaves its repository (a symlinked `cluster.ts` or cluster
 * folder pointing elsewhere). A path outside any repository was named explicitly and is loaded.
 */
async function confineToRepository(absolute: string, file: string, options: LoadClusterOptions): Promise<void> {
  if (options.allowOutsideRepo) return;
  const root = options.root ? path.resolve(options.root) : findRepositoryRoot(path.dirname(absolute));
  if (root === undefined) return;
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(absolute), realpath(root)]);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return; // reported as "does not exist" below
    throw cause;
  }
  if (isInside(real, realRoot)) return;
  throw new ConfigError(
    "E_CONFIG_READ",
    [
      {
        path: "",
        message: `resolves to ${real}, outside the repository ${realRoot}`,
        hint: "replace the symlink with the definition itself, or pass allowOutsideRepo to load it on purpose",
      },
    ],
    file,
  );
}

/**
 * Loads and validates a definition from `.yaml`, `.yml`, `.json`, `.ts` or `.js`, or from the one in a cluster
 * folder (or a cluster name under clusters/). Every failure, a syntax error included, is a ConfigError naming the file (and line:column when known).
 */
export async function loadCluster(file: string, options: LoadClusterOptions = {}): Promise<LoadedCluster> {
  // A folder or a cluster name becomes the definition in it; messages name the file as the user would write it.
  const isFile = (await stat(file).catch(() => undefined))?.isFile() === true;
  const shown = isFile ? file : findDefinitionPath(file);
  const absolute = path.resolve(shown);
  const extension = path.extname(absolute);
  await confineToRepository(absolute, shown, options);
  let data: unknown;
  if (extension === ".ts" || extension === ".js" || extension === ".mts" || extension === ".mjs") {
    data = await importDefinition(absolute, shown);
  } else {
    let text: string;
    try {
      text = await readFile(absolute, "utf8");
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(cause);
      throw new ConfigError(
        "E_CONFIG_READ",
        [{ path: "", message: reason, hint: "pass the path of a cluster.ts, cluster.yaml or cluster.json" }],
        shown,
        { cause },
      );
    }
    if (extension === ".json") {
      try {
        data = JSON.parse(text);
      } catch (cause) {
        throw jsonParseError(cause, text, shown);
      }
    } else {
      data = parseClusterYaml(text, shown);
    }
  }
  const { cluster, warnings } = resolveCluster(data, shown);
  return { cluster, file: absolute, warnings };
}
