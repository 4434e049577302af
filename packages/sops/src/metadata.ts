// The `sops` metadata block: lenient reading (sops 3.0–3.13, dotenv/INI strings) and sops 3.13 writing
// (keys sorted alphabetically at every level, empty lists and unset rules omitted).
import { SopsError } from "./errors.js";
import type { EncryptionRules } from "./rules-match.js";
import type { Plain } from "./tree.js";

export { SOPS_VERSION } from "./version.js";
import { SOPS_VERSION } from "./version.js";

export interface AgeKeyEntry {
  readonly recipient: string;
  readonly enc: string;
}

/** One key group. Non-age master keys (pgp, kms, …) are kept verbatim so edits do not drop them. */
export interface KeyGroup {
  readonly age: readonly AgeKeyEntry[];
  readonly others: Readonly<Record<string, readonly Plain[]>>;
}

export interface SopsMetadata extends EncryptionRules {
  readonly keyGroups: readonly KeyGroup[];
  /** The file used the `key_groups` form (kept on write). */
  readonly useKeyGroups: boolean;
  readonly shamirThreshold?: number;
  readonly lastModified: string;
  readonly mac: string;
  readonly version: string;
}

const KEY_TYPES = ["age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"] as const;
const RULE_FIELDS = [
  ["unencrypted_suffix", "unencryptedSuffix"],
  ["encrypted_suffix", "encryptedSuffix"],
  ["unencrypted_regex", "unencryptedRegex"],
  ["encrypted_regex", "encryptedRegex"],
  ["unencrypted_comment_regex", "unencryptedCommentRegex"],
  ["encrypted_comment_regex", "encryptedCommentRegex"],
] as const;

type PlainObject = { [key: string]: Plain };

const isObject = (value: Plain | undefined): value is PlainObject =>
  value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);

function text(value: Plain | undefined): string | undefined {
  if (value === null || value === undefined || typeof value === "object") return undefined;
  return String(value);
}

function readGroup(source: PlainObject, file?: string): KeyGroup {
  const others: Record<string, Plain[]> = {};
  const age: AgeKeyEntry[] = [];
  for (const type of KEY_TYPES) {
    const list = source[type];
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) {
      throw new SopsError("E_SOPS_METADATA", `sops.${type} must be a list`, { file });
    }
    if (type !== "age") {
      if (list.length) others[type] = list;
      continue;
    }
    list.forEach((entry, i) => {
      const enc = isObject(entry) ? text(entry.enc) : undefined;
      if (!isObject(entry) || enc === undefined) {
        throw new SopsError("E_SOPS_METADATA", `sops.age[${i}] needs an enc field`, { file });
      }
      age.push({ recipient: text(entry.recipient) ?? "", enc });
    });
  }
  return { age, others };
}

/** Reads a raw `sops` block; accepts old and new sops layouts. */
export function readMetadata(raw: PlainObject, file?: string): SopsMetadata {
  const groupsRaw = raw.key_groups;
  let keyGroups: KeyGroup[];
  let useKeyGroups = false;
  if (Array.isArray(groupsRaw) && groupsRaw.length) {
    useKeyGroups = true;
    keyGroups = groupsRaw.map((group, i) => {
      if (!isObject(group)) throw new SopsError("E_SOPS_METADATA", `sops.key_groups[${i}] must be a mapping`, { file });
      return readGroup(group, file);
    });
  } else {
    keyGroups = [readGroup(raw, file)];
  }
  if (keyGroups.every((g) => g.age.length === 0 && Object.keys(g.others).length === 0)) {
    throw new SopsError("E_SOPS_METADATA", "No keys found in file", {
      file,
      hint: "the sops metadata lists no master keys",
    });
  }
  const rules: Record<string, string> = {};
  for (const [field, prop] of RULE_FIELDS) {
    const value = text(raw[field]);
    if (value) rules[prop] = value;
  }
  if (Object.keys(rules).length > 1) {
    throw new SopsError(
      "E_SOPS_METADATA",
      `the metadata sets ${Object.keys(rules).length} encryption rules; at most one is allowed`,
      { file },
    );
  }
  if (Object.keys(rules).length === 0) rules.unencryptedSuffix = "_unencrypted";
  const macOnly = raw.mac_only_encrypted;
  const threshold = raw.shamir_threshold;
  const thresholdNumber = threshold === undefined || threshold === null ? 0 : Number(threshold);
  return {
    ...rules,
    macOnlyEncrypted: macOnly === true || macOnly === "true" || macOnly === "True",
    keyGroups,
    useKeyGroups,
    ...(thresholdNumber > 0 ? { shamirThreshold: thresholdNumber } : {}),
    lastModified: text(raw.lastmodified) ?? "",
    mac: text(raw.mac) ?? "",
    version: text(raw.version) ?? "",
  };
}

function sortKeys(value: Plain): Plain {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: PlainObject = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]!);
    return out;
  }
  return value;
}

function writeGroup(group: KeyGroup, into: PlainObject): void {
  if (group.age.length) into.age = group.age.map((entry) => ({ enc: entry.enc, recipient: entry.recipient }));
  for (const [type, list] of Object.entries(group.others)) if (list.length) into[type] = [...list];
}

/** The raw block sops 3.13 writes: alphabetical keys at every level. */
export function writeMetadata(meta: SopsMetadata): PlainObject {
  const out: PlainObject = {};
  if (meta.useKeyGroups || meta.keyGroups.length > 1) {
    out.key_groups = meta.keyGroups.map((group) => {
      const entry: PlainObject = {};
      writeGroup(group, entry);
      return entry;
    });
  } else if (meta.keyGroups[0]) writeGroup(meta.keyGroups[0], out);
  for (const [field, prop] of RULE_FIELDS) {
    const value = meta[prop];
    if (value) out[field] = value;
  }
  if (meta.macOnlyEncrypted) out.mac_only_encrypted = true;
  if (meta.shamirThreshold) out.shamir_threshold = meta.shamirThreshold;
  out.lastmodified = meta.lastModified;
  out.mac = meta.mac;
  out.version = meta.version;
  return sortKeys(out) as PlainObject;
}

/** Every age recipient the file is encrypted to, across groups. */
export function ageRecipients(meta: SopsMetadata): string[] {
  return meta.keyGroups.flatMap((group) => group.age.map((entry) => entry.recipient));
}
