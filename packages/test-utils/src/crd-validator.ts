// Validates objects against upstream CRD schemas as `kubectl --validate=strict` would: unknown fields are
// errors unless the schema preserves them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parseAllDocuments } from "yaml";
import { sharedDir } from "./paths.js";

type Schema = Record<string, unknown>;

/** Adds `additionalProperties: false` to every object schema that lists properties and keeps no unknown fields. */
export function strictify(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, strictify(child)]),
      );
    } else if (Array.isArray(value)) {
      out[key] = value.map((item) => (item && typeof item === "object" ? strictify(item as Schema) : item));
    } else if (value && typeof value === "object") {
      out[key] = strictify(value as Schema);
    } else {
      out[key] = value;
    }
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

export interface CrdValidator {
  /** Error messages for one object; empty when valid. Throws when no CRD covers the kind. */
  validate(object: { apiVersion: string; kind: string }): string[];
  has(apiVersion: string, kind: string): boolean;
  /** Whether a CRD of this API group is loaded: objects of such a group must then match one of its versions. */
  covers(apiVersion: string): boolean;
}

/** CRD patterns are Go regular expressions; the one Go-only construct they use is the `(?i)` flag group. */
function goRegExp(pattern: string, flags: string): RegExp {
  return pattern.includes("(?i)") ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags);
}
goRegExp.code = "new RegExp";

export function loadCrdValidator(folders: string[] = ["flux", "prometheus-operator"]): CrdValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
  const validators = new Map<string, ValidateFunction>();
  const groups = new Set<string>();
  for (const folder of folders) {
    const dir = sharedDir("conformance/crds", folder);
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".yaml"))) {
      for (const document of parseAllDocuments(readFileSync(path.join(dir, file), "utf8"))) {
        const crd = document.toJS() as {
          spec: {
            group: string;
            names: { kind: string };
            versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }>;
          };
        };
        groups.add(crd.spec.group);
        for (const version of crd.spec.versions) {
          const schema = strictify(version.schema.openAPIV3Schema);
          // apiVersion/kind/metadata are checked by the API server, not the CRD schema.
          const properties = (schema.properties ?? {}) as Record<string, Schema>;
          properties.metadata = { type: "object" };
          validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
        }
      }
    }
  }
  return {
    has: (apiVersion, kind) => validators.has(`${apiVersion}/${kind}`),
    covers: (apiVersion) => groups.has(apiVersion.split("/")[0] ?? ""),
    validate(object) {
      const validate = validators.get(`${object.apiVersion}/${object.kind}`);
      if (!validate)
        throw new Error(
          `no CRD schema for ${object.apiVersion} ${object.kind}: a version or kind the targeted CRDs do not serve`,
        );
      if (validate(object)) return [];
      return (validate.errors ?? []).map(
        (error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`,
      );
    },
  };
}
