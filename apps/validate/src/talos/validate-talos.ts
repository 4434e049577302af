// Finds Talos machine configs under clusters/<name>/talos/, decrypts SOPS files in memory when it can,
// and validates every document against the official schema of the cluster's Talos version.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Finding, sortFindings } from "../finding.js";
import { isRecord } from "../rules/rule.js";
import { listTalosSchemas } from "../schemas/schema-files.js";
import { listYamlFiles, parseManifestText } from "../tree/load-documents.js";
import { lineOf } from "../tree/manifest-document.js";
import { isTalosMachineDocument, pickTalosSchema, TalosSchema } from "./talos-schema.js";

/** Decrypts a SOPS-encrypted YAML file's text in memory; throws when no key can open it. */
export type DecryptYaml = (ciphertext: string, file: string) => Promise<string>;

/**
 * A file that was not validated because no key could decrypt it. The `talos-schema` warning says the same in words;
 * callers that count such files read this, never the message.
 */
export interface NotCheckedFile {
  /** As in findings: relative to the display base. */
  readonly file: string;
  /** Why: "no decryption available" (no age key at all) or the decrypt error's first line. */
  readonly reason: string;
}

export interface ValidateTalosResult {
  readonly findings: Finding[];
  /** Talos documents validated against the schema. */
  readonly documents: number;
  /** SOPS-encrypted machine configs no key opened, in file order. */
  readonly notChecked: NotCheckedFile[];
}

export interface ValidateTalosOptions {
  readonly dir: string;
  readonly talosVersion: string;
  readonly displayBase: string;
  readonly decrypt?: DecryptYaml;
}

function looksLikeMachineConfig(text: string, file: string): boolean {
  return parseManifestText(text, { file, absolutePath: file }).documents.some(
    ({ object }) => isRecord(object.machine) || (object.apiVersion !== undefined && object.kind !== undefined),
  );
}

function finding(file: string, input: Omit<Finding, "file">): Finding {
  return { file, ...input };
}

export async function validateTalosConfigs(options: ValidateTalosOptions): Promise<ValidateTalosResult> {
  const files = await listYamlFiles(options.dir).catch(() => [] as string[]);
  if (files.length === 0) return { findings: [], documents: 0, notChecked: [] };
  const schemaFile = pickTalosSchema(options.talosVersion, await listTalosSchemas());
  const findings: Finding[] = [];
  const notChecked: NotCheckedFile[] = [];
  let schema: TalosSchema | undefined;
  let checked = 0;
  for (const absolutePath of files) {
    const file = path.relative(options.displayBase, absolutePath);
    let text = await readFile(absolutePath, "utf8");
    if (/^sops:/m.test(text)) {
      if (!options.decrypt) {
        // SOPS keeps keys in the clear: only files shaped like machine configs are worth a warning.
        if (!looksLikeMachineConfig(text, file)) continue;
        notChecked.push({ file, reason: "no decryption available" });
        findings.push(
          finding(file, {
            rule: "talos-schema",
            severity: "warning",
            path: "",
            message: "SOPS-encrypted Talos config was not checked: no decryption available",
            hint: "set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to a key that can open it",
          }),
        );
        continue;
      }
      try {
        text = await options.decrypt(text, absolutePath);
      } catch (cause) {
        const reason = (cause as Error).message.split("\n")[0] ?? "";
        notChecked.push({ file, reason });
        findings.push(
          finding(file, {
            rule: "talos-schema",
            severity: "warning",
            path: "",
            message: `could not decrypt: ${reason}`,
            hint: "set SOPS_AGE_KEY_FILE to a key among the file's recipients",
          }),
        );
        continue;
      }
    }
    // Syntax errors of a decrypted file are skipped here: the file is generated, and sops parsed it already.
    for (const document of parseManifestText(text, { file, absolutePath }).documents) {
      const object = document.object;
      if (!isTalosMachineDocument(object)) continue;
      if (!schemaFile) {
        findings.push(
          finding(file, {
            rule: "talos-schema",
            severity: "warning",
            path: "",
            message: `no shipped Talos schema for ${options.talosVersion}`,
            hint: "use a Talos version whose schema @kubeforge/validate ships (v1.12, v1.13, v1.14)",
          }),
        );
        return { findings, documents: checked, notChecked };
      }
      schema ??= await TalosSchema.read(schemaFile);
      const definition = schema.definitionFor(object);
      if (!definition) {
        findings.push(
          finding(file, {
            rule: "talos-schema",
            severity: "error",
            path: "kind",
            line: lineOf(document, ["kind"]),
            message: `Talos ${options.talosVersion} has no config document of kind ${String(object.kind)}`,
            hint: "fix the kind, or the Talos version in the cluster model",
          }),
        );
        continue;
      }
      checked++;
      for (const error of schema.validate(definition, object)) {
        if (error.keyword === "oneOf" || error.keyword === "anyOf") continue;
        const keys = error.instancePath
          .split("/")
          .slice(1)
          .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
        const extra = error.keyword === "additionalProperties" ? String(error.params.additionalProperty) : undefined;
        const full = extra ? [...keys, extra] : keys;
        findings.push(
          finding(file, {
            rule: "talos-schema",
            severity: "error",
            path: full
              .map((key) => (typeof key === "number" ? `[${key}]` : key))
              .join(".")
              .replace(/\.\[/g, "["),
            line: lineOf(document, full),
            message: extra ? `unknown field "${extra}"` : (error.message ?? error.keyword),
            hint: `fix it to match the Talos ${options.talosVersion} machine-config schema`,
          }),
        );
      }
    }
  }
  return { findings: sortFindings(findings), documents: checked, notChecked };
}
