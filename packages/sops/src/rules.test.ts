import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSopsConfig, matchCreationRule, parseSopsConfig } from "./rules.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-rules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CONFIG = `creation_rules:
  - path_regex: clusters/[^/]+/secrets/.*\\.sops\\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: age1aaa, age1bbb
  - path_regex: \\.env$
    age:
      - age1ccc
  - age: age1ddd
stores:
  yaml:
    indent: 2
`;

describe(".sops.yaml", () => {
  const config = parseSopsConfig(CONFIG, "/repo/.sops.yaml");

  it("parses rules, comma lists and stores", () => {
    expect(config.creationRules[0]).toEqual({
      pathRegex: "clusters/[^/]+/secrets/.*\\.sops\\.yaml$",
      encryptedRegex: "^(data|stringData)$",
      ageGroups: [["age1aaa", "age1bbb"]],
    });
    expect(config.creationRules[1]?.ageGroups).toEqual([["age1ccc"]]);
    expect(config.yamlIndent).toBe(2);
  });

  it("matches path_regex against the path relative to the config folder; first match wins", () => {
    expect(matchCreationRule(config, "clusters/homelab/secrets/a.sops.yaml", "/repo")?.ageGroups).toEqual([
      ["age1aaa", "age1bbb"],
    ]);
    expect(matchCreationRule(config, "/repo/clusters/homelab/secrets/a.sops.yaml")?.encryptedRegex).toBe(
      "^(data|stringData)$",
    );
    expect(matchCreationRule(config, "x.env", "/repo/apps")?.ageGroups).toEqual([["age1ccc"]]);
    expect(matchCreationRule(config, "other.yaml", "/repo")?.ageGroups).toEqual([["age1ddd"]]);
  });

  it("fails with E_SOPS_NO_RULE when rules exist but none matches", () => {
    const strict = parseSopsConfig("creation_rules:\n  - path_regex: ^only/\n    age: age1x\n", "/repo/.sops.yaml");
    expect(() => matchCreationRule(strict, "/repo/elsewhere/a.yaml")).toThrow(/no matching creation rules found/);
    expect(matchCreationRule(parseSopsConfig("stores: {}\n", "/repo/.sops.yaml"), "a.yaml")).toBeUndefined();
  });

  it("refuses pgp rules and invalid YAML", () => {
    expect(() => parseSopsConfig("creation_rules:\n  - pgp: ABCDEF\n", "/r/.sops.yaml")).toThrow(
      /PGP is not supported/,
    );
    expect(() => parseSopsConfig("creation_rules: [", "/r/.sops.yaml")).toThrow(/\/r\/.sops.yaml: invalid YAML/);
  });

  it("is found in the working directory or a parent", async () => {
    const root = mkdtempSync(path.join(scratch, "kubeforge-sops-rules-"));
    writeFileSync(path.join(root, ".sops.yaml"), CONFIG);
    mkdirSync(path.join(root, "a/b"), { recursive: true });
    const found = await findSopsConfig({ cwd: path.join(root, "a/b"), env: {} });
    expect(found?.file).toBe(path.join(root, ".sops.yaml"));
    expect(
      await findSopsConfig({ cwd: path.join(root, "a"), env: { SOPS_CONFIG: path.join(root, ".sops.yaml") } }),
    ).toBeDefined();
  });
});

describe("Go (RE2) regex semantics (issue 14 #2)", () => {
  it("--encrypted-regex '^[[:alpha:]]*[dD]ata$' encrypts data and stringData", async () => {
    const { encryptText } = await import("./operations/encrypt.js");
    const { alice } = await import("../test/keys.js");
    const text = await encryptText("kind: Secret\ndata:\n    a: b\nstringData:\n    c: d\nother: clear\n", {
      format: "yaml",
      recipients: [alice.recipient],
      encryptedRegex: "^[[:alpha:]]*[dD]ata$",
    });
    // must deny: the secret values in clear text; must allow: keys outside the regex in clear
    expect(text).not.toMatch(/a: b|c: d/);
    expect(text).toMatch(/a: ENC\[AES256_GCM/);
    expect(text).toMatch(/c: ENC\[AES256_GCM/);
    expect(text).toContain("other: clear");
  });

  it("honours \\Q…\\E, \\pL and (?i) as Go does", async () => {
    const { compileGoRegex } = await import("./rules-match.js");
    expect(compileGoRegex("^\\Qa.b\\E$").test("a.b")).toBe(true);
    expect(compileGoRegex("^\\Qa.b\\E$").test("axb")).toBe(false);
    expect(compileGoRegex("^\\pL+$").test("pässwört")).toBe(true);
    expect(compileGoRegex("^\\pL+$").test("pass1")).toBe(false);
    expect(compileGoRegex("(?i)^DATA$").test("data")).toBe(true);
  });

  it("refuses what RE2 refuses (backreferences, lookaround) instead of guessing", () => {
    expect(() =>
      parseSopsConfig("creation_rules:\n  - encrypted_regex: (a)\\1\n    age: age1x\n", "/r/.sops.yaml"),
    ).toThrow(/\/r\/.sops.yaml: creation_rules\[0\].encrypted_regex: invalid regular expression/);
    expect(() => parseSopsConfig("creation_rules:\n  - path_regex: (?=x)\n    age: age1x\n", "/r/.sops.yaml")).toThrow(
      /path_regex: invalid regular expression/,
    );
  });

  it("path_regex uses RE2: a POSIX class selects the right rule instead of falling through", () => {
    const config = parseSopsConfig(
      "creation_rules:\n  - path_regex: ^[[:alpha:]]+/secret\\.yaml$\n    age: age1first\n  - age: age1fallback\n",
      "/repo/.sops.yaml",
    );
    expect(matchCreationRule(config, "prod/secret.yaml", "/repo")?.ageGroups).toEqual([["age1first"]]);
    expect(matchCreationRule(config, "pr0d/secret.yaml", "/repo")?.ageGroups).toEqual([["age1fallback"]]);
  });
});

describe("key groups as sops 3.13 reads them (issue 14 #3)", () => {
  it("flattens merge: groups into their key group and splits comma-separated recipients", () => {
    const config = parseSopsConfig(
      `creation_rules:
  - shamir_threshold: 2
    key_groups:
      - age:
          - age1a, age1b
        merge:
          - age: [age1c]
          - merge:
              - age: age1d,age1e
      - age: [age1f]
`,
      "/r/.sops.yaml",
    );
    expect(config.creationRules[0]?.ageGroups).toEqual([["age1c", "age1d", "age1e", "age1a", "age1b"], ["age1f"]]);
    expect(config.creationRules[0]?.shamirThreshold).toBe(2);
  });

  it("refuses destination_rules clearly", () => {
    expect(() => parseSopsConfig("destination_rules:\n  - s3_bucket: b\n    path_regex: x\n", "/r/.sops.yaml")).toThrow(
      /\/r\/.sops.yaml: destination_rules: destination_rules .* are not supported/,
    );
  });
});
