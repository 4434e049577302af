// Which values get encrypted (sops' shouldBeEncrypted), with Go RE2 patterns translated for JS.
import { SopsError } from "./errors.js";

export interface EncryptionRules {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: string;
  readonly encryptedRegex?: string;
  readonly unencryptedCommentRegex?: string;
  readonly encryptedCommentRegex?: string;
  readonly macOnlyEncrypted?: boolean;
}

const cache = new Map<string, RegExp>();

/** Compiles a Go RE2 pattern (unanchored search); leading inline flags like `(?i)` become JS flags. */
export function compileGoRegex(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = pattern;
  let flags = "";
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]!) if (flag !== "U" && !flags.includes(flag)) flags += flag;
  }
  source = source.replaceAll("(?P<", "(?<").replaceAll("\\A", "^").replaceAll("\\z", "$");
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    throw new SopsError("E_SOPS_CONFIG", `invalid regular expression ${JSON.stringify(pattern)}`, { cause: error });
  }
  cache.set(pattern, regex);
  return regex;
}

/** Checks that at most one selection rule is set (sops refuses several). */
export function checkRules(rules: EncryptionRules, where: string): void {
  const set = [
    rules.unencryptedSuffix,
    rules.encryptedSuffix,
    rules.unencryptedRegex,
    rules.encryptedRegex,
    rules.unencryptedCommentRegex,
    rules.encryptedCommentRegex,
  ].filter(Boolean);
  if (set.length > 1) {
    throw new SopsError(
      "E_SOPS_CONFIG",
      `${where} sets ${set.length} of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex, unencrypted_comment_regex and encrypted_comment_regex`,
      {
        hint: "keep exactly one",
      },
    );
  }
  if (rules.unencryptedCommentRegex || rules.encryptedCommentRegex) {
    throw new SopsError("E_SOPS_UNSUPPORTED", `${where} uses a comment regex, which kubeforge-sops does not support`, {
      hint: "use encrypted_regex or unencrypted_suffix instead",
    });
  }
}

/** sops' shouldBeEncrypted for a path of mapping keys (comment regexes are refused by checkRules). */
export function shouldEncrypt(path: readonly string[], rules: EncryptionRules): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix) {
    const suffix = rules.unencryptedSuffix;
    if (path.some((key) => key.endsWith(suffix))) encrypted = false;
  }
  if (rules.encryptedSuffix) {
    const suffix = rules.encryptedSuffix;
    encrypted = path.some((key) => key.endsWith(suffix));
  }
  if (rules.unencryptedRegex) {
    const regex = compileGoRegex(rules.unencryptedRegex);
    if (path.some((key) => regex.test(key))) encrypted = false;
  }
  if (rules.encryptedRegex) {
    const regex = compileGoRegex(rules.encryptedRegex);
    encrypted = path.some((key) => regex.test(key));
  }
  return encrypted;
}
