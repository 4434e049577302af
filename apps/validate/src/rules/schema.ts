// Every manifest against the schema of its apiVersion/kind; kinds without a schema are an `unknown-kind` warning.
import type { ErrorObject } from "ajv";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, type Rule, type RuleContext } from "./rule.js";

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describeError(error: ErrorObject): { path: (string | number)[]; message: string; hint: string } {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      return {
        path: [...path, field],
        message: `unknown field "${field}"`,
        hint: "remove it or fix its spelling/indentation; the API server would reject or drop it",
      };
    }
    case "required":
      return {
        path,
        message: `missing required field "${String(params.missingProperty)}"`,
        hint: "add the field",
      };
    case "type":
      return { path, message: `must be ${String(params.type)}`, hint: `write a ${String(params.type)} here` };
    case "enum":
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`,
        hint: "use one of the allowed values",
      };
    default:
      return { path, message: error.message ?? error.keyword, hint: "fix the value so it matches the schema" };
  }
}

const FLUX_VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::=[^}]*)?\}/;

function valueAt(object: unknown, path: readonly (string | number)[]): unknown {
  let current = object;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A type/format error on a `${var}` Flux postBuild substitutes before applying is not an error. */
function isFluxSubstitution(error: ErrorObject, object: unknown): boolean {
  if (!["type", "format", "pattern", "enum", "minimum", "maximum"].includes(error.keyword)) return false;
  const value = valueAt(object, pointerToPath(error.instancePath));
  return typeof value === "string" && FLUX_VARIABLE.test(value);
}

function withoutSopsMetadata(object: Record<string, unknown>): Record<string, unknown> {
  if (!("sops" in object)) return object;
  const { sops: _sops, ...rest } = object;
  return rest;
}

export function checkDocumentSchema(document: ManifestDocument, context: RuleContext): Finding[] {
  const { apiVersion, kind } = document.object;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion || !kind) {
    return [
      findingAt(document, {
        rule: "schema",
        path: [typeof apiVersion === "string" && apiVersion ? "kind" : "apiVersion"],
        message: "is not a Kubernetes object: apiVersion and kind are required",
        hint: "add apiVersion and kind, or move non-manifest YAML out of the Flux tree",
      }),
    ];
  }
  const errors = context.schemas.validate(apiVersion, kind, withoutSopsMetadata(document.object));
  if (errors === undefined) {
    const versions = context.schemas.knowsKind(apiVersion, kind);
    if (versions.length > 0) {
      return [
        findingAt(document, {
          rule: "schema",
          path: ["apiVersion"],
          message: `${kind} is not served as ${apiVersion}`,
          hint: `use ${versions.join(" or ")}`,
        }),
      ];
    }
    return [
      findingAt(document, {
        rule: "unknown-kind",
        severity: "warning",
        path: ["kind"],
        message: `no schema for ${apiVersion} ${kind}, so it was not checked`,
        hint: "add its CustomResourceDefinition to the tree or list the CRD file under `crds` in validate.yaml",
      }),
    ];
  }
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const error of errors) {
    if (error.keyword === "anyOf" || error.keyword === "oneOf" || error.keyword === "if") continue;
    if (isFluxSubstitution(error, document.object)) continue;
    const described = describeError(error);
    const key = `${described.path.join("/")}|${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(findingAt(document, { rule: "schema", ...described }));
  }
  return findings;
}

export const schemaRule: Rule = {
  id: "schema",
  description: "Every manifest matches the schema of its apiVersion/kind (unknown fields rejected).",
  check(context) {
    return context.documents.flatMap((document) => checkDocumentSchema(document, context));
  },
};
