// Finds a cluster definition from what a user types: a file, a cluster folder, or a name under clusters/.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "./errors.js";

/** File names a cluster folder may hold its definition in, in the order they are preferred. */
export const DEFINITION_FILES = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"] as const;

export interface FindDefinitionOptions {
  /** Where relative targets and the repository search start. @default process.cwd() */
  readonly cwd?: string;
}

const isDirectory = (file: string) => statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;

/** The nearest folder at or above `from` holding pnpm-workspace.yaml or .git; undefined outside a repository. */
export function findRepositoryRoot(from: string): string | undefined {
  for (let current = path.resolve(from); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, "pnpm-workspace.yaml")) || existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function definitionIn(folder: string): string | undefined {
  return DEFINITION_FILES.map((name) => path.join(folder, name)).find((file) => existsSync(file));
}

function knownClusters(root: string | undefined): string[] {
  if (!root || !isDirectory(path.join(root, "clusters"))) return [];
  return readdirSync(path.join(root, "clusters"))
    .filter((name) => definitionIn(path.join(root, "clusters", name)) !== undefined)
    .sort();
}

function notFound(target: string, message: string, root: string | undefined): ConfigError {
  const names = knownClusters(root);
  const hint = `pass a cluster.ts/cluster.yaml/cluster.json, a folder holding one, or a cluster name under clusters/${names.length ? ` (${names.join(", ")})` : ""}; \`kubeforge init <name>\` creates a new one`;
  return new ConfigError("E_CONFIG_READ", [{ path: "", message, hint }], target);
}

/**
 * Resolves `target` to a definition file: a file is taken as is; a folder must hold cluster.ts|yaml|yml|json;
 * a bare name is looked up as clusters/<name>/ of the repository around `cwd`. Parent folders are never searched
 * beyond the repository root. Throws a ConfigError (never a stack trace) naming what was tried.
 */
export function findDefinition(target: string | undefined, options: FindDefinitionOptions = {}): string {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const root = findRepositoryRoot(cwd);
  const given = target ?? ".";
  const absolute = path.resolve(cwd, given);
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (stats?.isFile()) return absolute;
  if (stats?.isDirectory()) {
    const found = definitionIn(absolute);
    if (found) return found;
    // With no target the folder is the working directory: name it, "." says nothing in a message.
    throw notFound(target ?? absolute, `has no ${DEFINITION_FILES.join(", ")}`, root);
  }
  // Cluster names are DNS labels: `nope.ts` is a file that does not exist, not a cluster name.
  const isBareName = target !== undefined && /^[a-z0-9][a-z0-9-]*$/i.test(target);
  if (isBareName && root) {
    const found = definitionIn(path.join(root, "clusters", target));
    if (found) return found;
  }
  throw notFound(given, isBareName ? "is neither a path nor a cluster under clusters/" : "does not exist", root);
}

/**
 * findDefinition, returned as the user would write it: their own text when it names the file, else the file found
 * (in the folder, or under clusters/) relative to `cwd`, or absolute when they gave an absolute path.
 */
export function findDefinitionPath(target: string | undefined, options: FindDefinitionOptions = {}): string {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const found = findDefinition(target, options);
  if (target !== undefined && path.resolve(cwd, target) === found) return target;
  return target !== undefined && path.isAbsolute(target) ? found : path.relative(cwd, found);
}
