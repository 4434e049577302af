// `.sops.yaml` lookup and creation_rules matching, as sops does it: search upwards from the working
// directory, path_regex against the path relative to the config's folder, first match wins.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { SopsError } from "./errors.js";
import { yamlLibrary } from "./lazy.js";
import { compileGoRegex, type EncryptionRules } from "./rules-match.js";
import { checkShamir } from "./shamir.js";

export interface CreationRule extends EncryptionRules {
  readonly pathRegex?: string;
  /** age recipients per key group (one group unless `key_groups` lists several). */
  readonly ageGroups: ReadonlyArray<readonly string[]>;
  readonly shamirThreshold?: number;
}

export interface SopsConfig {
  readonly file: string;
  readonly creationRules: readonly CreationRule[];
  readonly yamlIndent?: number;
  readonly jsonIndent?: number;
}

type Raw = Record<string, unknown>;

/** sops' parseKeyField: a comma-separated string or a list of strings; blanks dropped. */
function keyList(value: unknown, where: string, file: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item, i) => {
    if (typeof item !== "string") {
      throw new SopsError("E_SOPS_CONFIG", `expected a string, got ${typeof item}`, {
        file,
        path: Array.isArray(value) ? `${where}[${i}]` : where,
        hint: "list keys as strings (or one comma-separated string)",
      });
    }
    // upstream age.MasterKeysFromRecipients splits every entry on commas, in lists too
    return item
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  });
}

const NON_AGE = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "hckms", "hc_vault"];

function unsupported(what: string, file: string, where: string): SopsError {
  return new SopsError(
    "E_SOPS_UNSUPPORTED",
    `${what} keys are not supported (PGP is not supported; re-encrypt to age)`,
    {
      file,
      path: where,
      hint: "kubeforge-sops encrypts to age recipients only",
    },
  );
}

function isPresent(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== "";
}

/** One key group's age recipients, `merge:` groups flattened in as sops' extractMasterKeys does. */
function groupRecipients(group: unknown, where: string, file: string, depth = 0): string[] {
  if (group === null || typeof group !== "object" || Array.isArray(group)) {
    throw new SopsError("E_SOPS_CONFIG", "a key group must be a mapping", { file, path: where });
  }
  if (depth > 32) throw new SopsError("E_SOPS_CONFIG", "merge: nested too deeply", { file, path: where });
  const raw = group as Raw;
  for (const kind of NON_AGE) if (isPresent(raw[kind])) throw unsupported(kind, file, `${where}.${kind}`);
  const merged: string[] = [];
  if (raw.merge !== undefined && raw.merge !== null) {
    if (!Array.isArray(raw.merge)) {
      throw new SopsError("E_SOPS_CONFIG", "merge must be a list of key groups", { file, path: `${where}.merge` });
    }
    for (const [i, sub] of raw.merge.entries())
      merged.push(...groupRecipients(sub, `${where}.merge[${i}]`, file, depth + 1));
  }
  merged.push(...keyList(raw.age, `${where}.age`, file));
  return [...new Set(merged)];
}

function parseRule(raw: Raw, index: number, file: string): CreationRule {
  const where = `creation_rules[${index}]`;
  let ageGroups: string[][];
  if (raw.key_groups !== undefined && raw.key_groups !== null) {
    if (!Array.isArray(raw.key_groups)) {
      throw new SopsError("E_SOPS_CONFIG", "key_groups must be a list", { file, path: `${where}.key_groups` });
    }
    ageGroups = raw.key_groups.map((group, i) => groupRecipients(group, `${where}.key_groups[${i}]`, file));
    ageGroups.forEach((group, i) => {
      if (group.length === 0) {
        throw new SopsError("E_SOPS_CONFIG", "the key group has no age recipients", {
          file,
          path: `${where}.key_groups[${i}]`,
          hint: "list age1… recipients under age: (or merge:), or remove the group",
        });
      }
    });
  } else {
    for (const kind of NON_AGE) if (isPresent(raw[kind])) throw unsupported(kind, file, `${where}.${kind}`);
    ageGroups = [[...new Set(keyList(raw.age, `${where}.age`, file))]];
  }
  const text = (key: string) => {
    const value = raw[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string")
      throw new SopsError("E_SOPS_CONFIG", `${key} must be a string`, { file, path: `${where}.${key}` });
    return value;
  };
  const rule: Record<string, unknown> = { ageGroups };
  const fields = [
    ["path_regex", "pathRegex"],
    ["encrypted_regex", "encryptedRegex"],
    ["unencrypted_regex", "unencryptedRegex"],
    ["encrypted_suffix", "encryptedSuffix"],
    ["unencrypted_suffix", "unencryptedSuffix"],
    ["encrypted_comment_regex", "encryptedCommentRegex"],
    ["unencrypted_comment_regex", "unencryptedCommentRegex"],
  ] as const;
  for (const [key, name] of fields) {
    const value = text(key);
    if (value === undefined) continue;
    if (key.endsWith("_regex")) compileGoRegex(value, { file, path: `${where}.${key}` });
    rule[name] = value;
  }
  if (raw.mac_only_encrypted === true) rule.macOnlyEncrypted = true;
  const threshold = raw.shamir_threshold;
  if (threshold !== undefined && threshold !== null && threshold !== 0) {
    if (typeof threshold !== "number") {
      throw new SopsError("E_SOPS_CONFIG", "shamir_threshold must be a number", {
        file,
        path: `${where}.shamir_threshold`,
      });
    }
    checkShamir(ageGroups.length, threshold, { file, path: `${where}.shamir_threshold` });
    rule.shamirThreshold = threshold;
  }
  return rule as unknown as CreationRule;
}

/** Parses `.sops.yaml` text. A file without creation_rules yields no rules (treated as absent). */
export function parseSopsConfig(text: string, file: string): SopsConfig {
  let raw: unknown;
  try {
    raw = yamlLibrary().parse(text);
  } catch (error) {
    throw new SopsError("E_SOPS_CONFIG", `invalid YAML: ${(error as Error).message.split("\n")[0]}`, {
      file,
      cause: error,
    });
  }
  const doc = (raw ?? {}) as Raw;
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new SopsError("E_SOPS_CONFIG", "must be a mapping", { file });
  if (isPresent(doc.destination_rules)) {
    throw new SopsError("E_SOPS_CONFIG", "destination_rules (sops publish to S3, GCS or Vault) are not supported", {
      file,
      path: "destination_rules",
      hint: "remove destination_rules from this .sops.yaml; kubeforge-sops only reads creation_rules",
    });
  }
  const rules = doc.creation_rules;
  if (rules !== undefined && rules !== null && !Array.isArray(rules)) {
    throw new SopsError("E_SOPS_CONFIG", "creation_rules must be a list", { file });
  }
  const stores = (doc.stores ?? {}) as Raw;
  const indent = (store: unknown) => {
    const value = (store as Raw | undefined)?.indent;
    return typeof value === "number" ? value : undefined;
  };
  const config: { -readonly [K in keyof SopsConfig]: SopsConfig[K] } = {
    file,
    creationRules: ((rules ?? []) as Raw[]).map((rule, i) => parseRule(rule ?? {}, i, file)),
  };
  const yamlIndent = indent(stores.yaml);
  const jsonIndent = indent(stores.json);
  if (yamlIndent !== undefined) config.yamlIndent = yamlIndent;
  if (jsonIndent !== undefined) config.jsonIndent = jsonIndent;
  return config;
}

/** Finds `.sops.yaml`: explicit path (--config / SOPS_CONFIG), else cwd and up to 100 parents. */
export async function findSopsConfig(
  options: { cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<SopsConfig | undefined> {
  const env = options.env ?? process.env;
  const explicit = options.configPath ?? env.SOPS_CONFIG;
  if (explicit) {
    const file = path.resolve(options.cwd ?? process.cwd(), explicit);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new SopsError("E_SOPS_CONFIG", "cannot read the sops config", { file, cause: error });
    }
    return parseSopsConfig(text, file);
  }
  let dir = path.resolve(options.cwd ?? process.cwd());
  for (let i = 0; i <= 100; i++) {
    const file = path.join(dir, ".sops.yaml");
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) return parseSopsConfig(text, file);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The first creation rule whose path_regex matches the file (relative to the config folder). */
export function matchCreationRule(
  config: SopsConfig,
  filePath: string,
  cwd: string = process.cwd(),
): CreationRule | undefined {
  if (config.creationRules.length === 0) return undefined;
  const absolute = path.resolve(cwd, filePath);
  const prefix = `${path.dirname(config.file)}${path.sep}`;
  const relative = (absolute.startsWith(prefix) ? absolute.slice(prefix.length) : absolute).split(path.sep).join("/");
  for (const rule of config.creationRules) {
    if (!rule.pathRegex || compileGoRegex(rule.pathRegex).test(relative)) return rule;
  }
  throw new SopsError("E_SOPS_NO_RULE", "no matching creation rules found", {
    file: filePath,
    hint: `add a creation rule for ${relative} to ${config.file}`,
  });
}
