// Validates Talos machine-config documents against the official JSON Schema of the Talos version, with the
// validators precompiled at build time (`<schema>.validators.js`) when they ship, else compiled on first use.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import { isRecord } from "../rules/rule.js";

// ajv is CommonJS: required only when a definition has no precompiled validator.
const require = createRequire(import.meta.url);

interface PrecompiledTalos {
  readonly DEFINITIONS: Record<string, string>;
  readonly [name: string]: unknown;
}

type Schema = { $defs?: Record<string, Record<string, unknown>> };

/** Picks the shipped schema for a Talos version: same minor, preferring the exact version. */
export function pickTalosSchema(version: string, available: ReadonlyMap<string, string>): string | undefined {
  if (available.has(version)) return available.get(version);
  const minor = version.replace(/^v/, "").split(".").slice(0, 2).join(".");
  const candidates = [...available.keys()].filter((key) => key.replace(/^v/, "").startsWith(`${minor}.`)).sort();
  const chosen = candidates.at(-1);
  return chosen ? available.get(chosen) : undefined;
}

export class TalosSchema {
  #ajv?: Ajv2020;
  readonly #schema: Schema;
  readonly #compiled = new Map<string, ValidateFunction>();

  private constructor(schema: Schema, precompiled?: PrecompiledTalos) {
    for (const [definition, name] of Object.entries(precompiled?.DEFINITIONS ?? {})) {
      const validator = precompiled?.[name];
      if (typeof validator === "function") this.#compiled.set(definition, validator as ValidateFunction);
    }
    // `talosctl gen config` still writes the deprecated top-level `persist` field that the published schema
    // omits; Talos accepts it, so it is allowed here (as a boolean) rather than reported as unknown.
    const config = schema.$defs?.["v1alpha1.Config"];
    if (config && isRecord(config.properties) && !("persist" in config.properties)) {
      config.properties.persist = { type: "boolean" };
    }
    this.#schema = schema;
  }

  static async read(file: string): Promise<TalosSchema> {
    const validators = file.replace(/\.json$/, ".validators.js");
    const precompiled = existsSync(validators)
      ? ((await import(pathToFileURL(validators).href)) as PrecompiledTalos)
      : undefined;
    return new TalosSchema(JSON.parse(await readFile(file, "utf8")) as Schema, precompiled);
  }

  #compiler(): Ajv2020 {
    if (this.#ajv) return this.#ajv;
    const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
    ajv.addFormat("uri", true);
    ajv.addSchema({ ...this.#schema, $id: "talos", oneOf: undefined });
    this.#ajv = ajv;
    return ajv;
  }

  /** `$defs` name for a document: `v1alpha1.Config` for the main config, else by apiVersion/kind. */
  definitionFor(document: Record<string, unknown>): string | undefined {
    if (document.kind === undefined && document.version !== undefined) return "v1alpha1.Config";
    for (const [name, definition] of Object.entries(this.#schema.$defs ?? {})) {
      const properties = isRecord(definition.properties) ? definition.properties : {};
      const kinds = isRecord(properties.kind) && Array.isArray(properties.kind.enum) ? properties.kind.enum : [];
      const versions =
        isRecord(properties.apiVersion) && Array.isArray(properties.apiVersion.enum) ? properties.apiVersion.enum : [];
      if (kinds.includes(document.kind) && (versions.length === 0 || versions.includes(document.apiVersion)))
        return name;
    }
    return undefined;
  }

  validate(definition: string, document: unknown) {
    let validator = this.#compiled.get(definition);
    if (!validator) {
      validator = this.#compiler().compile({ $ref: `talos#/$defs/${definition}` });
      this.#compiled.set(definition, validator);
    }
    return validator(document) ? [] : [...(validator.errors ?? [])];
  }
}

/** True for a document that looks like a Talos machine configuration (not talosconfig or a secrets bundle). */
export function isTalosMachineDocument(document: Record<string, unknown>): boolean {
  if (document.version === "v1alpha1" && (isRecord(document.machine) || isRecord(document.cluster))) return true;
  return document.apiVersion === "v1alpha1" && typeof document.kind === "string";
}
