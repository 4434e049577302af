// Reading definitions from disk: cluster.yaml / cluster.json, or cluster.ts via jiti.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isMap, parseDocument } from "yaml";
import type { ConfigIssue } from "./errors.js";
import { ConfigError } from "./errors.js";
import type { Cluster } from "./schema/cluster.js";
import { validateCluster } from "./validate.js";

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

async function importDefinition(file: string): Promise<unknown> {
  const { createJiti } = await import("jiti");
  const jiti = createJiti(pathToFileURL(file).href, { moduleCache: false, interopDefault: false });
  const module = (await jiti.import(file)) as { default?: unknown };
  if (module.default === undefined) {
    throw new ConfigError(
      "E_CONFIG_READ",
      [{ path: "", message: "has no default export", hint: "export default defineCluster({ … })" }],
      file,
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

/** Loads and validates a definition from `.yaml`, `.yml`, `.json`, `.ts` or `.js`. */
export async function loadCluster(file: string): Promise<LoadedCluster> {
  const absolute = path.resolve(file);
  const extension = path.extname(absolute);
  let data: unknown;
  if (extension === ".ts" || extension === ".js" || extension === ".mts" || extension === ".mjs") {
    data = await importDefinition(absolute);
  } else {
    let text: string;
    try {
      text = await readFile(absolute, "utf8");
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(cause);
      throw new ConfigError(
        "E_CONFIG_READ",
        [{ path: "", message: reason, hint: "pass the path of a cluster.yaml or cluster.ts" }],
        file,
        { cause },
      );
    }
    data = extension === ".json" ? JSON.parse(text) : parseClusterYaml(text, file);
  }
  const { cluster, warnings } = resolveCluster(data, file);
  return { cluster, file: absolute, warnings };
}
