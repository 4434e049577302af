// `encrypt`: plaintext file → sops document, keys and rules from flags or the matching creation rule.
import { SopsError } from "../errors.js";
import { fileExists, readInputFile } from "../io.js";
import { parsePlaintext, sealNewDocument } from "../operations/encrypt.js";
import { findUnencryptedDocuments, type UnencryptedDocument } from "../operations/encrypt-coverage.js";
import { effectiveRules } from "../operations/seal.js";
import type { CreationRule, SopsConfig } from "../rules.js";
import type { EncryptionRules } from "../rules-match.js";
import { configOf, type FileCommandOptions, formatsOf, identitiesOf, ruleOf, storeOptionsOf } from "./context.js";

export interface EncryptFileOptions extends FileCommandOptions {
  /** --age: replaces the rule's recipients. */
  readonly age?: readonly string[];
  /** Selection flags (--encrypted-regex …): replace the rule's selection. */
  readonly rules?: EncryptionRules;
  /** An earlier encryption of this file (e.g. the --output target): kept when nothing changed. */
  readonly previousFile?: string;
  /**
   * Throw E_SOPS_NOTHING_ENCRYPTED (nothing is returned to write) when a document with values would have none of
   * them encrypted; without it that is a warning (onWarning), as sops writes such a file and exits 0.
   * @default false
   */
  readonly requireEncrypted?: boolean;
}

const FIELD_NAMES: Record<(typeof SELECTION)[number], string> = {
  encryptedRegex: "encrypted_regex",
  unencryptedRegex: "unencrypted_regex",
  encryptedSuffix: "encrypted_suffix",
  unencryptedSuffix: "unencrypted_suffix",
};

const SELECTION = ["encryptedRegex", "unencryptedRegex", "encryptedSuffix", "unencryptedSuffix"] as const;

/** "encrypted_regex ^(data|stringdata)$ (the .sops.yaml rule path_regex … in /repo/.sops.yaml)": what selected nothing. */
function describeSelection(
  rules: EncryptionRules,
  from: { flags: boolean; config?: SopsConfig; rule?: CreationRule },
): string {
  const fields = SELECTION.filter((key) => rules[key]).map((key) => `${FIELD_NAMES[key]} ${rules[key]}`);
  const source = from.flags
    ? "given on the command line"
    : from.rule && from.config && SELECTION.some((key) => from.rule![key])
      ? `of the creation rule${from.rule.pathRegex ? ` path_regex ${from.rule.pathRegex}` : ""} in ${from.config.file}`
      : "sops' default: every value except under keys ending in _unencrypted";
  return `${fields.join(", ")} (${source})`;
}

function nothingEncryptedMessage(found: readonly UnencryptedDocument[], documents: number, selection: string): string {
  return found
    .map(
      (doc) =>
        `none of the ${doc.values} value${doc.values === 1 ? "" : "s"} of ${documents === 1 ? "the document" : `document ${doc.index + 1}`} would be encrypted: ${selection} matches none of its keys (top level: ${doc.keys.join(", ")})`,
    )
    .join("; ");
}

/** Encrypts a file and returns the document text. */
export async function encryptFile(options: EncryptFileOptions): Promise<string> {
  const { input, output } = formatsOf(options);
  const plaintext = await readInputFile(options.readPath ?? options.file);
  const config = await configOf(options);
  const rule = ruleOf(config, options);
  const flagRules = Object.fromEntries(Object.entries(options.rules ?? {}).filter(([, v]) => v)) as EncryptionRules;
  const hasFlagSelection = SELECTION.some((key) => flagRules[key]);
  const rules: EncryptionRules = {
    ...(hasFlagSelection ? {} : Object.fromEntries(SELECTION.filter((k) => rule?.[k]).map((k) => [k, rule![k]]))),
    ...flagRules,
    ...(flagRules.macOnlyEncrypted || rule?.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
  };
  const recipientGroups = options.age?.length ? [options.age] : (rule?.ageGroups ?? []);
  if (recipientGroups.flat().length === 0) {
    throw new SopsError("E_SOPS_NO_RECIPIENTS", "no age recipients to encrypt to", {
      file: options.file,
      hint: config
        ? `the matching rule in ${config.file} lists no age keys; add some or pass --age`
        : "pass --age age1… or add a .sops.yaml with creation_rules",
    });
  }
  const branches = parsePlaintext(plaintext, input, options.file);
  const unencrypted = findUnencryptedDocuments(branches, effectiveRules(output, rules));
  if (unencrypted.length > 0) {
    const selection = describeSelection(effectiveRules(output, rules), { flags: hasFlagSelection, config, rule });
    const message = nothingEncryptedMessage(unencrypted, branches.length, selection);
    if (options.requireEncrypted) {
      // the rule is often right and the file wrong: `stringdata:` is no Secret field, whatever the regex says
      const fields = new Map(["data", "stringData"].map((field) => [field.toLowerCase(), field]));
      const misspelt = [...new Set(unencrypted.flatMap((document) => document.keys))].filter(
        (key) => fields.has(key.toLowerCase()) && fields.get(key.toLowerCase()) !== key,
      );
      const fix =
        misspelt.length > 0
          ? `Rename ${misspelt.join(", ")} in the file to ${misspelt.map((key) => fields.get(key.toLowerCase())).join(", ")} (a Secret's fields are case-sensitive; the rule is not the problem)`
          : "Make the selection match the keys that hold secrets (keys are case-sensitive; a Kubernetes Secret needs encrypted_regex: ^(data|stringData)$)";
      throw new SopsError("E_SOPS_NOTHING_ENCRYPTED", message, {
        file: options.file,
        hint: `nothing was written. ${fix}, then encrypt again`,
      });
    }
    options.onWarning?.(`${options.file}: ${message}; those values are written in clear text`);
  }
  let previous: Buffer | undefined;
  if (options.previousFile && (await fileExists(options.previousFile)))
    previous = await readInputFile(options.previousFile);
  return sealNewDocument(branches, {
    ...storeOptionsOf(config, options),
    format: output,
    recipientGroups,
    shamirThreshold: rule?.shamirThreshold,
    rules,
    file: options.file,
    // an existing --output file is kept byte for byte only if it already encrypts this plaintext;
    // otherwise the new file gets its own data key (never one borrowed from an unrelated file)
    ...(previous ? { previous, keepDataKey: false, identities: await identitiesOf(options) } : {}),
  });
}
