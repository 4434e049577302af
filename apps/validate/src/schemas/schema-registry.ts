// Compiles and caches one ajv validator per apiVersion/kind: built-in kinds, bundled CRDs and CRDs in the tree.
// Built-in kinds and bundled CRDs come precompiled (ajv standalone, at build time); ajv itself is loaded only
// when a run brings a schema of its own (a CRD in the tree or in validate.yaml).
import { createRequire } from "node:module";
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import type { CrdVersionSchema } from "./crd-schema.js";
import { crdValidatorName, type KubernetesSchemas } from "./schema-files.js";

/** OpenAPI formats that the API server treats loosely; accepted as any value of the declared type. */
const OPENAPI_FORMATS = ["int32", "int64", "float", "double", "byte", "binary", "password", "duration", "quantity"];

// ajv is CommonJS: required on first use, so runs that need no compiler never load it.
const require = createRequire(import.meta.url);

function createAjv(kubernetes: KubernetesSchemas): Ajv2020 {
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const formats = require("ajv-formats") as { default?: unknown };
  const addFormats = (formats.default ?? formats) as (ajv: Ajv2020) => void;
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
  });
  addFormats(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema({ $id: "kubernetes", $defs: kubernetes.$defs });
  return ajv;
}

export interface SchemaSource {
  readonly kubernetes: KubernetesSchemas;
  readonly crds: readonly CrdVersionSchema[];
  /**
   * Validators precompiled at build time: built-in kinds by `$defs` name, bundled CRDs by crdValidatorName;
   * others are compiled on first use.
   */
  readonly precompiled?: Readonly<Record<string, ValidateFunction>>;
}

interface SharedSchemas {
  ajv?: Ajv2020;
  readonly kubernetes: KubernetesSchemas;
  readonly crds: Map<string, CrdVersionSchema>;
  /** Validators of the shared schemas, compiled once per process (a PodSpec graph takes seconds). */
  readonly compiled: Map<string, ValidateFunction>;
}

export class SchemaRegistry {
  readonly #shared: SharedSchemas;
  /** CRDs added to this registry only (from a tree or validate.yaml); they win over shared ones. */
  readonly #crds = new Map<string, CrdVersionSchema>();
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(source: SchemaSource | SharedSchemas) {
    if ("compiled" in source) {
      this.#shared = source;
      return;
    }
    const crds = new Map(source.crds.map((crd) => [`${crd.apiVersion}/${crd.kind}`, crd]));
    const compiled = new Map<string, ValidateFunction>();
    for (const [key, definition] of Object.entries(source.kubernetes.kinds)) {
      const validator = source.precompiled?.[definition];
      if (validator) compiled.set(key, validator);
    }
    for (const key of crds.keys()) {
      const validator = source.precompiled?.[crdValidatorName(key)];
      if (validator) compiled.set(key, validator);
    }
    this.#shared = { kubernetes: source.kubernetes, crds, compiled };
  }

  /** A registry sharing this one's compiled schemas, to which a run can add its own CRDs. */
  fork(): SchemaRegistry {
    return new SchemaRegistry(this.#shared);
  }

  get kubernetesVersion(): string {
    return this.#shared.kubernetes.kubernetesVersion;
  }

  /** Adds (or replaces) the schema of a custom resource, e.g. from a CRD found in the tree. */
  addCrd(crd: CrdVersionSchema): void {
    const key = `${crd.apiVersion}/${crd.kind}`;
    this.#crds.set(key, crd);
    this.#compiled.delete(key);
  }

  /** The apiVersions under which `kind` of the same group is known (to tell a wrong version from an unknown kind). */
  knowsKind(apiVersion: string, kind: string): string[] {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    const versions: string[] = [];
    const keys = [...Object.keys(this.#shared.kubernetes.kinds), ...this.#shared.crds.keys(), ...this.#crds.keys()];
    for (const key of keys) {
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
    const own = this.#crds.get(key);
    const cache = own ? this.#compiled : this.#shared.compiled;
    const cached = cache.get(key);
    if (cached) return cached;
    const crd = own ?? this.#shared.crds.get(key);
    const definition = this.#shared.kubernetes.kinds[key];
    if (!crd && !definition) return undefined;
    this.#shared.ajv ??= createAjv(this.#shared.kubernetes);
    const validator = crd
      ? this.#shared.ajv.compile(crd.schema)
      : this.#shared.ajv.compile({ $ref: `kubernetes#/$defs/${definition}` });
    cache.set(key, validator);
    return validator;
  }
}
