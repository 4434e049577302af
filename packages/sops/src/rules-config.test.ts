// `.sops.yaml` as sops 3.13 reads it: what each creation rule yields, and every malformed rule refused with
// the file, the rule's path and the fix (a misread rule would encrypt to the wrong keys or leave values clear).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSopsConfig, matchCreationRule, parseSopsConfig } from "./rules.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-find-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FILE = "/repo/.sops.yaml";
const parse = (text: string) => parseSopsConfig(text, FILE);
const rule = (body: string) =>
  parse(`creation_rules:\n  - ${body.trim().split("\n").join("\n    ")}\n`).creationRules[0]!;
const refused = (text: string, fields: Record<string, unknown>) =>
  expect(() => parse(text)).toThrow(expect.objectContaining({ file: FILE, ...fields }));

describe("creation rules", () => {
  it("reads every selection rule and mac_only_encrypted", () => {
    expect(rule("path_regex: a\nunencrypted_regex: ^x$\nage: age1a")).toEqual({
      pathRegex: "a",
      unencryptedRegex: "^x$",
      ageGroups: [["age1a"]],
    });
    expect(rule("encrypted_suffix: _s\nage: age1a").encryptedSuffix).toBe("_s");
    expect(rule("unencrypted_suffix: _u\nage: age1a").unencryptedSuffix).toBe("_u");
    expect(rule("encrypted_comment_regex: ^s\nage: age1a").encryptedCommentRegex).toBe("^s");
    expect(rule("unencrypted_comment_regex: ^c\nage: age1a").unencryptedCommentRegex).toBe("^c");
    expect(rule("mac_only_encrypted: true\nage: age1a").macOnlyEncrypted).toBe(true);
    // only the YAML boolean true turns it on (sops reads a bool)
    expect(rule("mac_only_encrypted: 'true'\nage: age1a")).not.toHaveProperty("macOnlyEncrypted");
    expect(rule("mac_only_encrypted: false\nage: age1a")).not.toHaveProperty("macOnlyEncrypted");
    // empty or null fields are unset, as in sops
    expect(rule("path_regex: ''\nencrypted_regex:\nage: age1a")).toEqual({ ageGroups: [["age1a"]] });
  });

  it("trims and splits recipients on commas, drops blanks and duplicates", () => {
    expect(rule("age: ' age1a ,, age1b,age1a '").ageGroups).toEqual([["age1a", "age1b"]]);
    expect(rule("age: [age1a, ' age1b,age1c', '']").ageGroups).toEqual([["age1a", "age1b", "age1c"]]);
    expect(rule("path_regex: x").ageGroups).toEqual([[]]);
    expect(rule("path_regex: x\nage:").ageGroups).toEqual([[]]);
  });

  it("refuses a recipient that is not a string, at its path", () => {
    refused("creation_rules:\n  - age: [age1a, 5]\n", {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].age[1]",
      message: expect.stringMatching(/expected a string, got number — list keys as strings/),
    });
    refused("creation_rules:\n  - age: 5\n", { code: "E_SOPS_CONFIG", path: "creation_rules[0].age" });
    refused("creation_rules:\n  - age: age1a\n  - key_groups:\n      - age: [true]\n", {
      path: "creation_rules[1].key_groups[0].age[0]",
    });
  });

  it("refuses a selection field that is not a string", () => {
    refused("creation_rules:\n  - encrypted_regex: [a]\n    age: age1a\n", {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].encrypted_regex",
      message: expect.stringMatching(/encrypted_regex must be a string/),
    });
  });

  it("refuses every non-age key type, at its path, and accepts empty ones", () => {
    for (const kind of ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "hckms", "hc_vault"]) {
      refused(`creation_rules:\n  - age: age1a\n    ${kind}: x\n`, {
        code: "E_SOPS_UNSUPPORTED",
        path: `creation_rules[0].${kind}`,
        message: expect.stringMatching(`${kind} keys are not supported \\(PGP is not supported; re-encrypt to age\\)`),
        hint: "kubeforge-sops encrypts to age recipients only",
      });
      refused(`creation_rules:\n  - key_groups:\n      - age: age1a\n        ${kind}: [x]\n`, {
        code: "E_SOPS_UNSUPPORTED",
        path: `creation_rules[0].key_groups[0].${kind}`,
      });
    }
    expect(rule("age: age1a\npgp: ''\nkms: []\ngcp_kms:").ageGroups).toEqual([["age1a"]]);
    expect(rule("key_groups:\n  - age: age1a\n    pgp: []\n    kms: ''").ageGroups).toEqual([["age1a"]]);
  });
});

describe("key_groups", () => {
  it("gives one recipient list per group (key_groups wins over a top-level age)", () => {
    expect(rule("age: age1top\nkey_groups:\n  - age: age1a\n  - age: [age1b, age1c]").ageGroups).toEqual([
      ["age1a"],
      ["age1b", "age1c"],
    ]);
    expect(rule("age: age1top\nkey_groups:").ageGroups).toEqual([["age1top"]]);
  });

  it("refuses a group that is not a mapping, has no recipients, or a malformed merge", () => {
    refused("creation_rules:\n  - key_groups: age1a\n", {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].key_groups",
      message: expect.stringMatching(/key_groups must be a list/),
    });
    for (const group of ["age1a", "[age1a]", "null"]) {
      refused(`creation_rules:\n  - key_groups:\n      - ${group}\n`, {
        code: "E_SOPS_CONFIG",
        path: "creation_rules[0].key_groups[0]",
        message: expect.stringMatching(/a key group must be a mapping/),
      });
    }
    refused("creation_rules:\n  - key_groups:\n      - age: age1a\n      - age: []\n", {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].key_groups[1]",
      message: expect.stringMatching(/the key group has no age recipients — list age1… recipients/),
    });
    refused("creation_rules:\n  - key_groups:\n      - merge: {age: age1a}\n", {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].key_groups[0].merge",
      message: expect.stringMatching(/merge must be a list of key groups/),
    });
    refused("creation_rules:\n  - key_groups:\n      - merge: [age1a]\n", {
      path: "creation_rules[0].key_groups[0].merge[0]",
      message: expect.stringMatching(/a key group must be a mapping/),
    });
  });

  it("follows merge: 32 levels deep and refuses a 33rd", () => {
    const nested = (depth: number): string => (depth === 0 ? "{age: age1deep}" : `{merge: [${nested(depth - 1)}]}`);
    expect(parse(`creation_rules:\n  - key_groups: [${nested(32)}]\n`).creationRules[0]!.ageGroups).toEqual([
      ["age1deep"],
    ]);
    refused(`creation_rules:\n  - key_groups: [${nested(33)}]\n`, {
      code: "E_SOPS_CONFIG",
      message: expect.stringMatching(/merge: nested too deeply/),
    });
    expect(rule("key_groups:\n  - merge:\n    age: age1a").ageGroups).toEqual([["age1a"]]);
  });

  it("reads shamir_threshold, ignores 0 and null, and refuses a bad one at its path", () => {
    const groups = "key_groups:\n  - age: age1a\n  - age: age1b\n  - age: age1c";
    expect(rule(`shamir_threshold: 2\n${groups}`).shamirThreshold).toBe(2);
    expect(rule(`shamir_threshold: 3\n${groups}`).shamirThreshold).toBe(3);
    expect(rule(`shamir_threshold: 0\n${groups}`)).not.toHaveProperty("shamirThreshold");
    expect(rule(`shamir_threshold:\n${groups}`)).not.toHaveProperty("shamirThreshold");
    refused(`creation_rules:\n  - shamir_threshold: "2"\n    ${groups.split("\n").join("\n    ")}\n`, {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].shamir_threshold",
      message: expect.stringMatching(/shamir_threshold must be a number/),
    });
    refused(`creation_rules:\n  - shamir_threshold: 4\n    ${groups.split("\n").join("\n    ")}\n`, {
      code: "E_SOPS_CONFIG",
      path: "creation_rules[0].shamir_threshold",
      message: expect.stringMatching(/needs at least 4 key groups, there are 3 — set shamir_threshold between 2/),
    });
    refused("creation_rules:\n  - shamir_threshold: 2\n    age: age1a\n", {
      path: "creation_rules[0].shamir_threshold",
    });
  });
});

describe("the document", () => {
  it("reads an empty file, null entries and stores", () => {
    expect(parse("")).toEqual({ file: FILE, creationRules: [] });
    expect(parse("creation_rules:\n")).toEqual({ file: FILE, creationRules: [] });
    expect(parse("creation_rules:\n  -\n").creationRules).toEqual([{ ageGroups: [[]] }]);
    const config = parse("stores:\n  yaml: {indent: 2}\n  json: {indent: 3}\n");
    expect([config.yamlIndent, config.jsonIndent]).toEqual([2, 3]);
    const odd = parse("stores:\n  yaml: {indent: two}\n  json:\n");
    expect(odd).not.toHaveProperty("yamlIndent");
    expect(odd).not.toHaveProperty("jsonIndent");
    expect(parse("destination_rules: []\n").creationRules).toEqual([]);
  });

  it("refuses a document or creation_rules of the wrong shape", () => {
    refused("- a\n", { code: "E_SOPS_CONFIG", message: `${FILE}: must be a mapping` });
    refused("creation_rules: {age: age1a}\n", {
      code: "E_SOPS_CONFIG",
      message: `${FILE}: creation_rules must be a list`,
    });
    refused("just text\n", { code: "E_SOPS_CONFIG", message: `${FILE}: must be a mapping` });
    refused("destination_rules:\n  - path_regex: x\n", {
      code: "E_SOPS_CONFIG",
      path: "destination_rules",
      message: expect.stringMatching(/— remove destination_rules from this \.sops\.yaml/),
    });
  });

  it("refuses invalid YAML with the parser's first line only (no source excerpt)", () => {
    refused("creation_rules: [", {
      code: "E_SOPS_CONFIG",
      message: `${FILE}: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 18:`,
    });
  });

  it("takes suffixes literally (they are not regexes)", () => {
    expect(rule("unencrypted_suffix: '[x'\nage: age1a").unencryptedSuffix).toBe("[x");
    expect(rule("encrypted_suffix: (s\nage: age1a").encryptedSuffix).toBe("(s");
  });
});

describe("matchCreationRule", () => {
  const config = parse(
    "creation_rules:\n  - path_regex: ^secrets/\n    age: age1s\n  - path_regex: \\.env$\n    age: age1e\n",
  );

  it("matches against the path relative to the config's folder, with / separators", () => {
    expect(matchCreationRule(config, "secrets/a.yaml", "/repo")?.ageGroups).toEqual([["age1s"]]);
    expect(matchCreationRule(config, "../secrets/a.yaml", "/repo/x")?.ageGroups).toEqual([["age1s"]]);
    expect(matchCreationRule(config, "a.env", "/repo/secrets")?.ageGroups).toEqual([["age1s"]]);
    expect(matchCreationRule(config, "a.env", "/repo/docs")?.ageGroups).toEqual([["age1e"]]);
  });

  it("does not strip a sibling folder that only starts like the config's folder", () => {
    // /repository/secrets/a.yaml is not <config folder>/secrets/a.yaml: ^secrets/ must not match it
    expect(() => matchCreationRule(config, "/repository/secrets/a.yaml")).toThrow(
      expect.objectContaining({
        code: "E_SOPS_NO_RULE",
        file: "/repository/secrets/a.yaml",
        message: expect.stringMatching(
          /no matching creation rules found — add a creation rule for \/repository\/secrets\/a\.yaml to \/repo\/\.sops\.yaml/,
        ),
      }),
    );
  });

  it("names the file as given and its relative path in the hint", () => {
    expect(() => matchCreationRule(config, "docs/a.yaml", "/repo")).toThrow(
      expect.objectContaining({
        file: "docs/a.yaml",
        hint: "add a creation rule for docs/a.yaml to /repo/.sops.yaml",
      }),
    );
  });

  it("has no rule to give when the config has none", () => {
    expect(matchCreationRule(parse(""), "anything.yaml", "/elsewhere")).toBeUndefined();
  });
});

describe("findSopsConfig", () => {
  const tree = () => {
    const root = mkdtempSync(path.join(scratch, "kubeforge-sops-find-"));
    mkdirSync(path.join(root, "a/b"), { recursive: true });
    writeFileSync(path.join(root, "a/.sops.yaml"), "creation_rules:\n  - age: age1near\n");
    writeFileSync(path.join(root, "other.yaml"), "creation_rules:\n  - age: age1other\n");
    return root;
  };

  it("takes the nearest .sops.yaml upwards from the working directory", async () => {
    const root = tree();
    const found = await findSopsConfig({ cwd: path.join(root, "a/b"), env: {} });
    expect(found?.file).toBe(path.join(root, "a/.sops.yaml"));
    expect(found?.creationRules[0]?.ageGroups).toEqual([["age1near"]]);
  });

  it("returns undefined when no folder up to / has one", async () => {
    const root = tree();
    expect(await findSopsConfig({ cwd: root, env: {} })).toBeUndefined();
  });

  it("prefers --config over SOPS_CONFIG over the search, relative to the working directory", async () => {
    const root = tree();
    const viaEnv = await findSopsConfig({ cwd: path.join(root, "a"), env: { SOPS_CONFIG: "../other.yaml" } });
    expect(viaEnv?.file).toBe(path.join(root, "other.yaml"));
    const viaFlag = await findSopsConfig({
      cwd: root,
      configPath: "a/.sops.yaml",
      env: { SOPS_CONFIG: "other.yaml" },
    });
    expect(viaFlag?.file).toBe(path.join(root, "a/.sops.yaml"));
  });

  it("reads SOPS_CONFIG from the env it is given, not from the process", async () => {
    const root = tree();
    const saved = process.env.SOPS_CONFIG;
    process.env.SOPS_CONFIG = path.join(root, "other.yaml");
    try {
      const found = await findSopsConfig({ cwd: path.join(root, "a/b"), env: {} });
      expect(found?.file).toBe(path.join(root, "a/.sops.yaml"));
    } finally {
      if (saved === undefined) delete process.env.SOPS_CONFIG;
      else process.env.SOPS_CONFIG = saved;
    }
  });

  it("searches the working directory and up to 100 parents, no further", async () => {
    const root = tree();
    const deep = path.join(root, "a", ...Array.from({ length: 101 }, () => "d"));
    mkdirSync(deep, { recursive: true });
    expect((await findSopsConfig({ cwd: path.dirname(deep), env: {} }))?.file).toBe(path.join(root, "a/.sops.yaml"));
    expect(await findSopsConfig({ cwd: deep, env: {} })).toBeUndefined();
  });

  it("refuses an explicit config it cannot read, naming it", async () => {
    const root = tree();
    await expect(findSopsConfig({ cwd: root, configPath: "missing.yaml", env: {} })).rejects.toMatchObject({
      code: "E_SOPS_CONFIG",
      file: path.join(root, "missing.yaml"),
      message: expect.stringMatching(/cannot read the sops config/),
    });
  });
});
