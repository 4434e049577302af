// Validates every document of a machine config against the official Talos JSON schema (draft 2020-12).
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import type { TalosMinor } from "../config/contract.js";
import { type ConfigDocument, documentId, isV1Alpha1 } from "../config/documents.js";
import type { TalosIssue } from "../errors.js";
import { SCHEMA_RELEASES, schemaFile } from "./schema-files.js";

interface TalosSchema {
  readonly $id: string;
  readonly $defs: Record<string, { properties?: { kind?: { enum?: string[] } } }>;
}

interface CompiledSchema {
  readonly release: string;
  readonly byKind: Map<string, ValidateFunction>;
  readonly v1alpha1: ValidateFunction;
}

const cache = new Map<TalosMinor, CompiledSchema>();

function compile(minor: TalosMinor): CompiledSchema {
  const cached = cache.get(minor);
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(schemaFile(minor), "utf8")) as TalosSchema;
  // strict: false because the official schemas carry editor keywords (markdownDescription, x-intellij-…).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv, ["uri"]);
  ajv.addSchema(schema);
  const definition = (name: string) => {
    const validate = ajv.getSchema(`${schema.$id}#/$defs/${name}`);
    if (!validate) throw new Error(`schema ${schema.$id} has no $defs/${name}`);
    return validate;
  };
  const byKind = new Map<string, ValidateFunction>();
  for (const [name, value] of Object.entries(schema.$defs)) {
    const kind = value.properties?.kind?.enum?.[0];
    if (kind !== undefined) byKind.set(kind, definition(name));
  }
  const compiled = { release: SCHEMA_RELEASES[minor], byKind, v1alpha1: definition("v1alpha1.Config") };
  cache.set(minor, compiled);
  return compiled;
}

function describeError(error: ErrorObject): { path: string; message: string; hint?: string } {
  const at = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (error.keyword === "additionalProperties") {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      path: at ? `${at}.${key}` : key,
      message: "is not allowed by the schema",
      hint:
        key === "persist"
          ? "remove persist (Talos treats a missing persist as true)"
          : "remove it or move it to the document that replaced it in this Talos version",
    };
  }
  return { path: at, message: error.message ?? error.keyword };
}

/** Validates parsed documents; returns the issues (empty when valid). */
export function validateConfigDocuments(
  documents: readonly ConfigDocument[],
  options: { minor: TalosMinor; file?: string },
): TalosIssue[] {
  const schema = compile(options.minor);
  const issues: TalosIssue[] = [];
  const seen = new Set<string>();
  documents.forEach((document, index) => {
    const id = documentId(document);
    const where = `documents[${index}](${id})`;
    if (seen.has(id)) {
      issues.push({
        file: options.file,
        path: where,
        message: "appears twice",
        hint: "Talos rejects duplicate documents; merge them",
      });
    }
    seen.add(id);
    if (!isV1Alpha1(document) && typeof document.kind !== "string") {
      issues.push({
        file: options.file,
        path: where,
        message: "is not a Talos machine-config document (no version: v1alpha1 and no kind)",
        hint: "pass a machine config, not a talosconfig or a Kubernetes manifest",
      });
      return;
    }
    const validate = isV1Alpha1(document) ? schema.v1alpha1 : schema.byKind.get(String(document.kind));
    if (!validate) {
      issues.push({
        file: options.file,
        path: `${where}.kind`,
        message: `${String(document.kind)} is not a document kind of Talos ${schema.release}`,
        hint: "check the kind's spelling or the Talos version",
      });
      return;
    }
    if (!validate(document)) {
      for (const error of validate.errors ?? []) {
        const described = describeError(error);
        issues.push({
          file: options.file,
          path: described.path ? `${where}.${described.path}` : where,
          message: described.message,
          hint: described.hint,
        });
      }
    }
  });
  return issues;
}

/** Parses a multi-document YAML stream and validates it. */
export function validateConfigText(text: string, options: { minor: TalosMinor; file?: string }): TalosIssue[] {
  const parsed = parseAllDocuments(text);
  const documents: ConfigDocument[] = [];
  const issues: TalosIssue[] = [];
  parsed.forEach((document, index) => {
    for (const error of document.errors) {
      issues.push({
        file: options.file,
        path: `documents[${index}]`,
        message: error.message.split("\n")[0] ?? "",
        hint: "fix the YAML syntax",
      });
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      issues.push({
        file: options.file,
        path: `documents[${index}]`,
        message: "is not a mapping",
        hint: "each document must be a YAML mapping",
      });
      return;
    }
    documents.push(value as ConfigDocument);
  });
  if (issues.length > 0) return issues;
  return validateConfigDocuments(documents, options);
}
