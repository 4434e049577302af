// Compiles and caches one ajv validator per apiVersion/kind: built-in kinds, bundled CRDs and CRDs in the tree.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { CrdVersionSchema } from "./crd-schema.js";
import type { KubernetesSchemas } from "./schema-files.js";

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** OpenAPI formats that the API server treats loosely; accepted as any value of the declared type. */
const OPENAPI_FORMATS = ["int32", "int64", "float", "double", "byte", "binary", "password", "duration", "quantity"];

export interface SchemaSource {
  readonly kubernetes: KubernetesSchemas;
  readonly crds: readonly CrdVersionSchema[];
}

export type SchemaOrigin = "kubernetes" | "crd";

export class SchemaRegistry {
  readonly #ajv: Ajv2020;
  readonly #kubernetes: KubernetesSchemas;
  readonly #crds = new Map<string, CrdVersionSchema>();
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(source: SchemaSource) {
    this.#ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
      logger: false,
    });
    addFormats(this.#ajv);
    for (const format of OPENAPI_FORMATS) this.#ajv.addFormat(format, true);
    this.#kubernetes = source.kubernetes;
    this.#ajv.addSchema({ $id: "kubernetes", $defs: source.kubernetes.$defs });
    for (const crd of source.crds) this.addCrd(crd);
  }

  get kubernetesVersion(): string {
    return this.#kubernetes.kubernetesVersion;
  }

  /** Adds (or replaces) the schema of a custom resource, e.g. from a CRD found in the tree. */
  addCrd(crd: CrdVersionSchema): void {
    const key = `${crd.apiVersion}/${crd.kind}`;
    this.#crds.set(key, crd);
    this.#compiled.delete(key);
  }

  /** Where the schema of `apiVersion/kind` comes from, or undefined when no schema is known. */
  origin(apiVersion: string, kind: string): SchemaOrigin | undefined {
    const key = `${apiVersion}/${kind}`;
    if (this.#crds.has(key)) return "crd";
    if (this.#kubernetes.kinds[key]) return "kubernetes";
    return undefined;
  }

  /** True when any version of `group` + `kind` is known (to tell a wrong version from an unknown kind). */
  knowsKind(apiVersion: string, kind: string): string[] {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    const versions: string[] = [];
    for (const key of [...Object.keys(this.#kubernetes.kinds), ...this.#crds.keys()]) {
      const parts = key.split("/");
      const keyKind = parts.pop();
      const keyGroup = parts.length === 2 ? parts[0] : "";
      if (keyKind === kind && keyGroup === group) versions.push(parts.join("/"));
    }
    return [...new Set(versions)].sort();
  }

  /** Validates an object; returns ajv errors, or undefined when there is no schema for its kind. */
  validate(apiVersion: string, kind: string, object: unknown): ErrorObject[] | undefined {
    const validator = this.#validator(apiVersion, kind);
    if (!validator) return undefined;
    return validator(object) ? [] : [...(validator.errors ?? [])];
  }

  #validator(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    const cached = this.#compiled.get(key);
    if (cached) return cached;
    const crd = this.#crds.get(key);
    const definition = this.#kubernetes.kinds[key];
    let validator: ValidateFunction;
    if (crd) validator = this.#ajv.compile(crd.schema);
    else if (definition) validator = this.#ajv.compile({ $ref: `kubernetes#/$defs/${definition}` });
    else return undefined;
    this.#compiled.set(key, validator);
    return validator;
  }
}
