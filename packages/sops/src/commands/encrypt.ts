// `encrypt`: plaintext file → sops document, keys and rules from flags or the matching creation rule.
import { SopsError } from "../errors.js";
import { fileExists, readInputFile } from "../io.js";
import { parsePlaintext, sealNewDocument } from "../operations/encrypt.js";
import type { EncryptionRules } from "../rules-match.js";
import { configOf, type FileCommandOptions, formatsOf, identitiesOf, ruleOf, storeOptionsOf } from "./context.js";

export interface EncryptFileOptions extends FileCommandOptions {
  /** --age: replaces the rule's recipients. */
  readonly age?: readonly string[];
  /** Selection flags (--encrypted-regex …): replace the rule's selection. */
  readonly rules?: EncryptionRules;
  /** An earlier encryption of this file (e.g. the --output target): kept when nothing changed. */
  readonly previousFile?: string;
}

const SELECTION = ["encryptedRegex", "unencryptedRegex", "encryptedSuffix", "unencryptedSuffix"] as const;

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
