// sops' shouldBeEncrypted and the selection-rule checks: which keys a rule leaves in clear text.
import { describe, expect, it } from "vitest";
import { checkRules, compileGoRegex, type EncryptionRules, shouldEncrypt } from "./rules-match.js";

const encrypts = (rules: EncryptionRules, ...path: string[]) => shouldEncrypt(path, rules);

describe("shouldEncrypt (sops' shouldBeEncrypted)", () => {
  it("encrypts everything when no rule is set, whatever the key is called", () => {
    for (const key of ["password", "x_unencrypted", "undefined", "xundefined", ""])
      expect(encrypts({}, key)).toBe(true);
    expect(encrypts({ unencryptedSuffix: "", encryptedRegex: "" }, "a")).toBe(true);
  });

  it("unencrypted_suffix: a key with the suffix anywhere on the path stays in clear", () => {
    const rules = { unencryptedSuffix: "_unencrypted" };
    expect(encrypts(rules, "password")).toBe(true);
    expect(encrypts(rules, "a_unencrypted")).toBe(false);
    expect(encrypts(rules, "a_unencrypted", "below")).toBe(false);
    expect(encrypts(rules, "above", "a_unencrypted")).toBe(false);
    expect(encrypts(rules, "_unencrypted_not_suffix")).toBe(true);
  });

  it("encrypted_suffix: only keys with the suffix on the path are encrypted", () => {
    const rules = { encryptedSuffix: "_secret" };
    expect(encrypts(rules, "password")).toBe(false);
    expect(encrypts(rules, "db_secret")).toBe(true);
    expect(encrypts(rules, "db_secret", "below")).toBe(true);
    expect(encrypts(rules, "above", "db_secret")).toBe(true);
    expect(encrypts(rules, "_secret_not_suffix")).toBe(false);
  });

  it("unencrypted_regex: a key matching anywhere on the path stays in clear (unanchored search, as Go)", () => {
    const rules = { unencryptedRegex: "meta" };
    expect(encrypts(rules, "password")).toBe(true);
    expect(encrypts(rules, "metadata", "name")).toBe(false);
    expect(encrypts(rules, "spec", "xmetax")).toBe(false);
    expect(encrypts(rules, "spec", "name")).toBe(true);
  });

  it("encrypted_regex: only keys matching somewhere on the path are encrypted", () => {
    const rules = { encryptedRegex: "^(data|stringData)$" };
    expect(encrypts(rules, "data", "password")).toBe(true);
    expect(encrypts(rules, "outer", "stringData")).toBe(true);
    expect(encrypts(rules, "metadata", "name")).toBe(false);
    expect(encrypts(rules, "database")).toBe(false);
    expect(encrypts(rules)).toBe(false);
  });

  it("applies the rules in sops' order when several are given (the last deciding one wins)", () => {
    expect(encrypts({ unencryptedSuffix: "_u", encryptedSuffix: "_e" }, "a_u", "b_e")).toBe(true);
    expect(encrypts({ encryptedSuffix: "_e", unencryptedRegex: "^b" }, "a_e", "b")).toBe(false);
    expect(encrypts({ unencryptedRegex: "^a", encryptedRegex: "^b" }, "a", "b")).toBe(true);
    expect(encrypts({ unencryptedSuffix: "_u", encryptedRegex: "^b" }, "a")).toBe(false);
  });
});

describe("checkRules", () => {
  it("refuses two selection rules, naming how many and where", () => {
    expect(() => checkRules({ encryptedRegex: "^a$", unencryptedSuffix: "_u" }, "creation rule 2")).toThrow(
      expect.objectContaining({
        code: "E_SOPS_CONFLICT",
        message: expect.stringMatching(/^creation rule 2 sets 2 of unencrypted_suffix, .* — keep exactly one$/),
      }),
    );
    for (const rules of [
      { unencryptedSuffix: "_u", encryptedSuffix: "_e" },
      { unencryptedRegex: "a", encryptedCommentRegex: "b" },
      { unencryptedCommentRegex: "a", encryptedRegex: "b" },
    ]) {
      expect(() => checkRules(rules, "options")).toThrow(/options sets 2 of/);
    }
  });

  it("accepts one rule (or none), ignoring empty ones", () => {
    expect(() => checkRules({}, "x")).not.toThrow();
    expect(() => checkRules({ encryptedRegex: "^data$", unencryptedSuffix: "" }, "x")).not.toThrow();
    expect(() => checkRules({ unencryptedSuffix: "_u", macOnlyEncrypted: true }, "x")).not.toThrow();
  });

  it("refuses a regex RE2 refuses, with where it came from", () => {
    for (const rules of [{ encryptedRegex: "(a)\\1" }, { unencryptedRegex: "(?!x)" }]) {
      expect(() => checkRules(rules, "the encryption options")).toThrow(
        expect.objectContaining({
          code: "E_SOPS_CONFIG",
          path: "the encryption options",
          message: expect.stringMatching(/invalid regular expression .* — sops uses Go \(RE2\) syntax/),
        }),
      );
    }
  });

  it("refuses comment regexes (which values they select depends on go-yaml's comment placement)", () => {
    for (const rules of [{ encryptedCommentRegex: "^sops" }, { unencryptedCommentRegex: "^clear" }]) {
      expect(() => checkRules(rules, "the rule")).toThrow(
        expect.objectContaining({
          code: "E_SOPS_UNSUPPORTED",
          message: expect.stringMatching(/^the rule uses a comment regex, which kubeforge-sops does not support/),
          hint: "use encrypted_regex or unencrypted_suffix instead",
        }),
      );
    }
  });
});

describe("compileGoRegex", () => {
  it("searches unanchored (Go's MatchString) and gives the same answer twice", () => {
    const regex = compileGoRegex("ta$");
    expect(regex.test("data")).toBe(true);
    expect(regex.test("data")).toBe(true);
    expect(regex.test("tax")).toBe(false);
    expect(regex.test("tax")).toBe(false);
  });

  it("names the file and the path of a pattern RE2 refuses", () => {
    expect(() => compileGoRegex("a{2,1}", { file: "/r/.sops.yaml", path: "creation_rules[1].path_regex" })).toThrow(
      expect.objectContaining({
        code: "E_SOPS_CONFIG",
        file: "/r/.sops.yaml",
        path: "creation_rules[1].path_regex",
        message: expect.stringMatching(
          /^\/r\/\.sops\.yaml: creation_rules\[1\]\.path_regex: invalid regular expression "a\{2,1\}": /,
        ),
      }),
    );
  });
});
