// Finds what would make a kustomize build leave the machine: remote resources (HTTP URLs, git repositories)
// in any kustomization file the build reads. Validate refuses to build such a path instead of fetching.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import jsYaml from "js-yaml";
import { isRecord } from "../rules/rule.js";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface RemoteResource {
  /** Absolute path of the kustomization file that names it. */
  readonly file: string;
  /** Path inside that file, e.g. `["resources", 2]`. */
  readonly path: (string | number)[];
  readonly resource: string;
}

/** A URL kustomize's loader would fetch (it reads http(s) files and clones git URLs). */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * True when kustomize would treat `entry` as a remote target: a URL, an scp-style git address, a
 * `host.tld/org/repo` path, a `.git` path or a `?ref=` query. kustomize tries a local path first, so only
 * entries that do not exist locally count.
 */
export function looksRemote(entry: string): boolean {
  return (
    URL_LIKE.test(entry) ||
    /^[\w.-]+@[\w.-]+:/.test(entry) ||
    /[?&](ref|version|submodules|timeout)=/.test(entry) ||
    /\.git(\/|\?|$)/.test(entry) ||
    /^[^./\s][^/\s]*\.[a-z]{2,}\/[^/\s]+\/[^/\s]+/i.test(entry)
  );
}

/** Fields whose entries are files or directories (directories are kustomizations of their own). */
const PATH_LISTS = ["resources", "components", "bases", "generators", "transformers", "validators"];
/** Fields whose entries are files only. */
const FILE_LISTS = ["crds", "configurations", "patchesStrategicMerge"];
/** Lists of objects with a `path` field. */
const PATH_OBJECT_LISTS = ["patches", "patchesJson6902", "replacements"];

function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

function isDirectory(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function readKustomization(file: string): Record<string, unknown> | undefined {
  try {
    const value = jsYaml.load(readFileSync(file, "utf8"), { schema: jsYaml.CORE_SCHEMA });
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined; // kustomize reports the syntax error itself; nothing here can be fetched
  }
}

/** Every remote reference in the kustomization of `dir` and in the local kustomizations it includes. */
export function findRemoteResources(dir: string): RemoteResource[] {
  const found: RemoteResource[] = [];
  const visited = new Set<string>();
  const visit = (current: string) => {
    if (visited.has(current)) return;
    visited.add(current);
    const file = kustomizationFile(current);
    const kustomization = file ? readKustomization(file) : undefined;
    if (!file || !kustomization) return;
    const remote = (at: (string | number)[], resource: string) => found.push({ file, path: at, resource });
    for (const field of PATH_LISTS) {
      const list = kustomization[field];
      if (!Array.isArray(list)) continue;
      list.forEach((entry, index) => {
        if (typeof entry !== "string") return;
        const local = path.resolve(current, entry);
        if (existsSync(local)) {
          if (isDirectory(local)) visit(local);
        } else if (looksRemote(entry)) remote([field, index], entry);
      });
    }
    for (const field of FILE_LISTS) {
      const list = kustomization[field];
      if (!Array.isArray(list)) continue;
      list.forEach((entry, index) => {
        if (typeof entry === "string" && URL_LIKE.test(entry.trim())) remote([field, index], entry);
      });
    }
    for (const field of PATH_OBJECT_LISTS) {
      const list = kustomization[field];
      if (!Array.isArray(list)) continue;
      list.forEach((entry, index) => {
        if (isRecord(entry) && typeof entry.path === "string" && URL_LIKE.test(entry.path))
          remote([field, index, "path"], entry.path);
      });
    }
    if (isRecord(kustomization.openapi) && typeof kustomization.openapi.path === "string") {
      if (URL_LIKE.test(kustomization.openapi.path)) remote(["openapi", "path"], kustomization.openapi.path);
    }
    for (const field of ["configMapGenerator", "secretGenerator"]) {
      const list = kustomization[field];
      if (!Array.isArray(list)) continue;
      list.forEach((generator, index) => {
        if (!isRecord(generator)) return;
        for (const key of ["files", "envs"]) {
          const entries = generator[key];
          if (!Array.isArray(entries)) continue;
          entries.forEach((entry, entryIndex) => {
            const source = typeof entry === "string" ? entry.slice(entry.indexOf("=") + 1) : "";
            if (URL_LIKE.test(source)) remote([field, index, key, entryIndex], source);
          });
        }
        if (typeof generator.env === "string" && URL_LIKE.test(generator.env))
          remote([field, index, "env"], generator.env);
      });
    }
    const charts = kustomization.helmCharts;
    if (Array.isArray(charts)) {
      charts.forEach((chart, index) => {
        if (isRecord(chart) && typeof chart.repo === "string" && chart.repo)
          remote(["helmCharts", index, "repo"], chart.repo);
      });
    }
  };
  visit(dir);
  return found;
}
