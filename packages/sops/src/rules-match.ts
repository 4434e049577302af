// Which values get encrypted (sops' shouldBeEncrypted), with Go's RE2 regex semantics.
import type { RE2JS } from "re2js";
import { SopsError } from "./errors.js";
import { re2Library } from "./lazy.js";

export interface EncryptionRules {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: string;
  readonly encryptedRegex?: string;
  readonly unencryptedCommentRegex?: string;
  readonly encryptedCommentRegex?: string;
  readonly macOnlyEncrypted?: boolean;
}

/** A compiled Go (RE2) pattern: `test` is an unanchored search, as Go's MatchString. */
export interface GoRegex {
  test(text: string): boolean;
}

const cache = new Map<string, GoRegex>();

/**
 * Compiles a pattern with RE2 semantics (re2js, a port of the engine Go's regexp implements), so
 * `[[:alpha:]]`, `\Q…\E`, `\pL`, `(?i)` and friends mean what they mean to sops. A pattern RE2 refuses
 * (backreferences, lookaround) is refused here too: guessing would encrypt the wrong values.
 */
export function compileGoRegex(pattern: string, where: { file?: string; path?: string } = {}): GoRegex {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let compiled: RE2JS;
  try {
    compiled = re2Library().RE2JS.compile(pattern);
  } catch (error) {
    throw new SopsError(
      "E_SOPS_CONFIG",
      `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      { ...where, hint: "sops uses Go (RE2) syntax: no backreferences or lookaround", cause: error },
    );
  }
  // keys repeat across a document (every value under `data` tests "data"): remember answers per key
  const answers = new Map<string, boolean>();
  const regex: GoRegex = {
    test(text) {
      let answer = answers.get(text);
      if (answer === undefined) {
        answer = compiled.test(text);
        if (answers.size < 10_000) answers.set(text, answer);
      }
      return answer;
    },
  };
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
      "E_SOPS_CONFLICT",
      `${where} sets ${set.length} of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex, unencrypted_comment_regex and encrypted_comment_regex`,
      {
        hint: "keep exactly one",
      },
    );
  }
  for (const pattern of [rules.unencryptedRegex, rules.encryptedRegex])
    if (pattern) compileGoRegex(pattern, { path: where });
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
