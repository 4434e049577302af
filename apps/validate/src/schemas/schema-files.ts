// Finds and reads the schemas shipped in dist/schemas (written at build time by scripts/build-schemas.mjs).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { ValidateError } from "../errors.js";
import { type CrdVersionSchema, crdVersionSchemas } from "./crd-schema.js";

export interface KubernetesSchemas {
  readonly kubernetesVersion: string;
  readonly source: string;
  /** `apps/v1/Deployment` → `$defs` entry name. */
  readonly kinds: Record<string, string>;
  readonly $defs: Record<string, unknown>;
}

/** dist/schemas when running from the bundle; ../dist/schemas when running from src/ (tests). */
export function schemaDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.join(here, "schemas"), path.join(here, "..", "..", "dist", "schemas")]) {
    if (existsSync(path.join(candidate, "kubernetes.json"))) return candidate;
  }
  throw new ValidateError(
    "E_SCHEMAS_MISSING",
    "the bundled schemas (dist/schemas/kubernetes.json) are missing",
    "run `pnpm --filter @kubeforge/validate build`",
  );
}

export async function readKubernetesSchemas(dir = schemaDirectory()): Promise<KubernetesSchemas> {
  return JSON.parse(await readFile(path.join(dir, "kubernetes.json"), "utf8")) as KubernetesSchemas;
}

/** Validators precompiled at build time (ajv standalone), by `$defs` name; empty when the file is missing. */
export async function readKubernetesValidators(dir = schemaDirectory()): Promise<Record<string, ValidateFunction>> {
  const file = path.join(dir, "kubernetes-validators.js");
  if (!existsSync(file)) return {};
  return (await import(pathToFileURL(file).href)) as Record<string, ValidateFunction>;
}

/**
 * Export name of a bundled CRD's precompiled validator (`source.toolkit.fluxcd.io/v1/GitRepository` →
 * `crd_source_toolkit_fluxcd_io_v1_GitRepository`); scripts/build-schemas.mjs names them the same way.
 */
export function crdValidatorName(key: string): string {
  return `crd_${key.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** Schemas of the CRDs shipped with the package (Flux, prometheus-operator). */
export async function readBundledCrdSchemas(dir = schemaDirectory()): Promise<CrdVersionSchema[]> {
  // crds.json holds the converted schemas (written at build time): JSON reads far faster than the CRD YAML.
  const converted = path.join(dir, "crds.json");
  if (existsSync(converted)) return JSON.parse(await readFile(converted, "utf8")) as CrdVersionSchema[];
  const crdDir = path.join(dir, "crds");
  const out: CrdVersionSchema[] = [];
  for (const name of (await readdir(crdDir)).filter((file) => file.endsWith(".yaml")).sort()) {
    const text = await readFile(path.join(crdDir, name), "utf8");
    for (const document of parseAllDocuments(text)) {
      if (!("toJS" in document)) continue;
      out.push(...crdVersionSchemas(document.toJS()));
    }
  }
  return out;
}

/** Talos machine-config schema files shipped with the package, by version (`v1.13.9`). */
export async function listTalosSchemas(dir = schemaDirectory()): Promise<Map<string, string>> {
  const talosDir = path.join(dir, "talos");
  const out = new Map<string, string>();
  for (const name of (await readdir(talosDir)).sort()) {
    const version = /^config\.schema\.(v[0-9][^/]*)\.json$/.exec(name)?.[1];
    if (version) out.set(version, path.join(talosDir, name));
  }
  return out;
}
