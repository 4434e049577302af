// Where the vendored official schemas live, and which release stands for each supported minor.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TalosMinor } from "../config/contract.js";

export const SCHEMA_RELEASES: Readonly<Record<TalosMinor, string>> = {
  12: "v1.12.11",
  13: "v1.13.9",
  14: "v1.14.0-rc.1",
};

/** `schemas/` of this package, found from both `dist/` and `src/schema/`. */
export function schemaDirectory(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = path.join(directory, "schemas");
    if (existsSync(path.join(candidate, "README.md"))) return candidate;
    directory = path.dirname(directory);
  }
  throw new Error("the vendored Talos schemas (schemas/) are missing from @kubeforge/talos");
}

export function schemaFile(minor: TalosMinor): string {
  return path.join(schemaDirectory(), `config.schema.${SCHEMA_RELEASES[minor]}.json`);
}
