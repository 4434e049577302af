// Plaintext values of a whole SOPS file in any text format a secretGenerator reads (dotenv, YAML, JSON):
// the file's own sops metadata decides what must be ciphertext (see sops-coverage).
import jsYaml from "js-yaml";
import { formatPath } from "../finding.js";
import { isRecord } from "../rules/rule.js";
import { plaintextValues, selectionOf, sopsMetadataOf } from "./sops-coverage.js";

/** dotenv as sops writes it: `KEY=value` lines, metadata flattened into `sops_<field>=value` lines. */
function dotenvPlaintext(content: string): string[] {
  const values: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const line of content.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const index = line.indexOf("=");
    if (index <= 0) continue;
    const key = line.slice(0, index).trim();
    const value = line.slice(index + 1);
    if (key.startsWith("sops_")) metadata[key.slice("sops_".length)] = value;
    else values[key] = value;
  }
  const selection = selectionOf(metadata);
  return selection ? plaintextValues(values, selection).map((path) => formatPath(path)) : [];
}

/**
 * Paths (`API_KEY`, `db.password`) of values in a SOPS-encrypted file that its rules say are encrypted but
 * are not; empty when the file is not a SOPS file this check can read.
 */
export function sopsFilePlaintext(content: string, file: string): string[] {
  if (/\.(env|dotenv)$/i.test(file) || /^sops_(version|mac)=/m.test(content)) return dotenvPlaintext(content);
  let value: unknown;
  try {
    value = jsYaml.load(content, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return [];
  }
  if (!isRecord(value)) return [];
  const metadata = sopsMetadataOf(value);
  const selection = metadata ? selectionOf(metadata) : undefined;
  return selection ? plaintextValues(value, selection).map((path) => formatPath(path)) : [];
}
