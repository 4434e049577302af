// Finds values left in plaintext inside a SOPS-encrypted document: every value of a Secret's
// data/stringData, and whatever the file's own sops rules (encrypted_regex, unencrypted_suffix…) say
// is encrypted. Pure, over one parsed document, so the build's secrets copy and validate share it.
// It sits in @kubeforge/config because that is the lowest package both depend on; it belongs beside
// @kubeforge/sops's findPlaintextSecrets and can move there unchanged.

/** One value that should be `ENC[…]` but is not. */
export interface PlaintextValue {
  /** Keys from the document root to the value, e.g. `["stringData", "db-password"]`. */
  readonly path: readonly (string | number)[];
  /** What requires it to be encrypted, e.g. `Secret stringData` or `sops encrypted_regex ^(data|stringData)$`. */
  readonly reason: string;
}

/** The key-selection rules SOPS records in a file's metadata (`sops:` block). */
interface SopsRules {
  readonly unencrypted_suffix?: string;
  readonly encrypted_suffix?: string;
  readonly unencrypted_regex?: string;
  readonly encrypted_regex?: string;
}

type Key = string | number;

/** The top-level fields of a core/v1 Secret. */
const SECRET_FIELDS = new Set(["apiVersion", "kind", "metadata", "type", "immutable", "data", "stringData"]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isEncrypted = (value: unknown): boolean => typeof value === "string" && value.startsWith("ENC[");

/** Go's RE2 allows a leading `(?i)`; JavaScript wants a flag. */
function goRegExp(source: string): RegExp {
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

/** Every leaf (string, number, boolean) under `value`, with its path; nulls hold nothing to leak. */
function* leaves(value: unknown, path: Key[]): Generator<{ path: Key[]; value: unknown }> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* leaves(item, [...path, index]);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) yield* leaves(item, [...path, key]);
  } else if (value !== null && value !== undefined) {
    yield { path, value };
  }
}

/**
 * Whether SOPS encrypts a value at `path` under `rules` — the same order as sops' tree walk: the
 * unencrypted suffix (default `_unencrypted`) exempts a subtree, an encrypted suffix or regex limits
 * encryption to matching keys, an unencrypted regex exempts matching keys. Only string keys count.
 */
function sopsEncrypts(path: readonly Key[], rules: SopsRules): { encrypts: boolean; reason: string } {
  const keys = path.filter((key): key is string => typeof key === "string");
  const selector = rules.encrypted_regex
    ? `sops encrypted_regex ${rules.encrypted_regex}`
    : rules.encrypted_suffix
      ? `sops encrypted_suffix ${rules.encrypted_suffix}`
      : "sops (every value unless exempted)";
  let encrypts = true;
  const unencryptedSuffix =
    rules.unencrypted_suffix ??
    (rules.encrypted_suffix || rules.encrypted_regex || rules.unencrypted_regex ? undefined : "_unencrypted");
  if (unencryptedSuffix && keys.some((key) => key.endsWith(unencryptedSuffix))) encrypts = false;
  if (rules.encrypted_suffix) {
    const suffix = rules.encrypted_suffix;
    encrypts = keys.some((key) => key.endsWith(suffix));
  }
  if (rules.encrypted_regex) {
    const pattern = goRegExp(rules.encrypted_regex);
    encrypts = keys.some((key) => pattern.test(key));
  }
  if (rules.unencrypted_regex) {
    const pattern = goRegExp(rules.unencrypted_regex);
    if (keys.some((key) => pattern.test(key))) encrypts = false;
  }
  return { encrypts, reason: selector };
}

function readRules(sops: unknown): SopsRules | undefined {
  if (!isRecord(sops)) return undefined;
  const rules: Record<string, string> = {};
  for (const name of ["unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex"]) {
    const value = sops[name];
    if (typeof value === "string" && value !== "") rules[name] = value;
  }
  return rules;
}

/**
 * Values of one parsed YAML/JSON document that are not `ENC[…]` but must be: every value of a
 * Secret's `data`/`stringData` (whatever its metadata claims), and — when the document carries sops
 * metadata — every value the file's own sops rules select for encryption. A document with neither
 * returns nothing. An unparsable rule regex selects everything.
 */
export function findPlaintextValues(document: unknown): PlaintextValue[] {
  if (!isRecord(document)) return [];
  const found = new Map<string, PlaintextValue>();
  if (document.kind === "Secret") {
    for (const section of ["data", "stringData"]) {
      for (const leaf of leaves(document[section], [section])) {
        if (!isEncrypted(leaf.value))
          found.set(JSON.stringify(leaf.path), { path: leaf.path, reason: `Secret ${section}` });
      }
    }
    // A field a Secret does not have (`stringdata:`, `secretData:`) is no secret section to sops rules such as
    // ^(data|stringData)$, so its values stay in clear text, and the API server would reject the object anyway.
    // Its values are treated as secrets: they were meant to be.
    for (const [key, value] of Object.entries(document)) {
      if (SECRET_FIELDS.has(key) || key === "sops") continue;
      const meant = ["data", "stringData"].find((section) => section.toLowerCase() === key.toLowerCase());
      const reason = `Secret field ${key}, which a Secret does not have${meant ? ` (did you mean ${meant}?)` : ""}`;
      for (const leaf of leaves(value, [key])) {
        if (!isEncrypted(leaf.value)) found.set(JSON.stringify(leaf.path), { path: leaf.path, reason });
      }
    }
  }
  const rules = readRules(document.sops);
  if (rules) {
    for (const [key, value] of Object.entries(document)) {
      if (key === "sops") continue;
      for (const leaf of leaves(value, [key])) {
        if (isEncrypted(leaf.value) || found.has(JSON.stringify(leaf.path))) continue;
        let verdict: { encrypts: boolean; reason: string };
        try {
          verdict = sopsEncrypts(leaf.path, rules);
        } catch {
          verdict = { encrypts: true, reason: "sops rules (a regex that does not compile)" };
        }
        if (verdict.encrypts) found.set(JSON.stringify(leaf.path), { path: leaf.path, reason: verdict.reason });
      }
    }
  }
  return [...found.values()];
}
