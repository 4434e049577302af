// `.sops.yaml` lookup and creation_rules matching, as sops does it: search upwards from the working
// directory, path_regex against the path relative to the config's folder, first match wins.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYamlText } from "yaml";
import { SopsError } from "./errors.js";
import { compileGoRegex, type EncryptionRules } from "./rules-match.js";

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

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(",");
  return items.map((s) => s.trim()).filter(Boolean);
}

const NON_AGE = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "hckms", "hc_vault"];

function parseRule(raw: Raw, index: number, file: string): CreationRule {
  const where = `creation_rules[${index}]`;
  const unsupported = (what: string) =>
    new SopsError("E_SOPS_UNSUPPORTED", `${what} keys are not supported (PGP is not supported; re-encrypt to age)`, {
      file,
      path: where,
      hint: "kubeforge-sops encrypts to age recipients only",
    });
  let ageGroups: string[][];
  if (Array.isArray(raw.key_groups)) {
    ageGroups = (raw.key_groups as Raw[]).map((group) => {
      for (const kind of NON_AGE)
        if (list(group[kind]).length || (Array.isArray(group[kind]) && (group[kind] as unknown[]).length))
          throw unsupported(kind);
      return [...new Set(list(group.age))];
    });
  } else {
    for (const kind of NON_AGE) if (list(raw[kind]).length) throw unsupported(kind);
    ageGroups = [list(raw.age)];
  }
  const text = (key: string) => (typeof raw[key] === "string" && raw[key] ? (raw[key] as string) : undefined);
  const rule: Record<string, unknown> = { ageGroups };
  if (text("path_regex")) rule.pathRegex = text("path_regex");
  if (text("encrypted_regex")) rule.encryptedRegex = text("encrypted_regex");
  if (text("unencrypted_regex")) rule.unencryptedRegex = text("unencrypted_regex");
  if (text("encrypted_suffix")) rule.encryptedSuffix = text("encrypted_suffix");
  if (text("unencrypted_suffix")) rule.unencryptedSuffix = text("unencrypted_suffix");
  if (text("encrypted_comment_regex")) rule.encryptedCommentRegex = text("encrypted_comment_regex");
  if (text("unencrypted_comment_regex")) rule.unencryptedCommentRegex = text("unencrypted_comment_regex");
  if (raw.mac_only_encrypted === true) rule.macOnlyEncrypted = true;
  if (typeof raw.shamir_threshold === "number" && raw.shamir_threshold > 0) rule.shamirThreshold = raw.shamir_threshold;
  return rule as unknown as CreationRule;
}

/** Parses `.sops.yaml` text. A file without creation_rules yields no rules (treated as absent). */
export function parseSopsConfig(text: string, file: string): SopsConfig {
  let raw: unknown;
  try {
    raw = parseYamlText(text);
  } catch (error) {
    throw new SopsError("E_SOPS_CONFIG", `invalid YAML: ${(error as Error).message.split("\n")[0]}`, {
      file,
      cause: error,
    });
  }
  const doc = (raw ?? {}) as Raw;
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new SopsError("E_SOPS_CONFIG", "must be a mapping", { file });
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
