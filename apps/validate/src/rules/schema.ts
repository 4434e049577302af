// Every manifest against the schema of its apiVersion/kind; kinds without a schema are an `unknown-kind` warning.
import type { ErrorObject } from "ajv";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, type Rule, type RuleContext } from "./rule.js";

/**
 * A JSON pointer into `object`: its path and the value there. A segment is a list index only where the object
 * holds a list (a mapping key may be "10": `labels.10`, not `labels[10]`).
 */
function resolvePointer(pointer: string, object: unknown): { path: (string | number)[]; value: unknown } {
  const path: (string | number)[] = [];
  let value = object;
  if (!pointer) return { path, value };
  for (const segment of pointer.slice(1).split("/")) {
    const part = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    const key = Array.isArray(value) && /^\d+$/.test(part) ? Number(part) : part;
    path.push(key);
    value = typeof value === "object" && value !== null ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return { path, value };
}

function describeError(
  error: ErrorObject,
  path: (string | number)[],
  value: unknown,
): { path: (string | number)[]; message: string; hint: string } {
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
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      // the usual slip is the case (`tcp`, `loadbalancer`, `egress`): the API server compares exactly
      const same = allowed.find(
        (candidate) =>
          typeof candidate === "string" && typeof value === "string" && candidate.toLowerCase() === value.toLowerCase(),
      );
      return {
        path,
        message: `${JSON.stringify(value)} is not allowed: must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`,
        hint:
          same !== undefined
            ? `write ${JSON.stringify(same)} (values are case-sensitive; the API server rejects ${JSON.stringify(value)})`
            : "use one of the allowed values; the API server rejects any other",
      };
    }
    default:
      return { path, message: error.message ?? error.keyword, hint: "fix the value so it matches the schema" };
  }
}

/**
 * A string holding a `${var}` that Flux postBuild substitutes before applying: whatever a schema says about the
 * string (type, format, pattern, enum, length) is only known after substitution, so it is not an error here.
 * Errors about an object's fields (required, unknown field) point at the object, never at such a string.
 */
function isFluxSubstitution(value: unknown): boolean {
  // The pattern is written here, not as a module constant, so that mutation testing exercises it per test.
  return typeof value === "string" && /\$\{[A-Za-z_][A-Za-z0-9_]*(?::=[^}]*)?\}/.test(value);
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
    const { path, value } = resolvePointer(error.instancePath, document.object);
    if (isFluxSubstitution(value)) continue;
    const described = describeError(error, path, value);
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
