import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findSopsConfig, matchCreationRule, parseSopsConfig } from "./rules.js";

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
    const root = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-rules-"));
    writeFileSync(path.join(root, ".sops.yaml"), CONFIG);
    mkdirSync(path.join(root, "a/b"), { recursive: true });
    const found = await findSopsConfig({ cwd: path.join(root, "a/b"), env: {} });
    expect(found?.file).toBe(path.join(root, ".sops.yaml"));
    expect(
      await findSopsConfig({ cwd: path.join(root, "a"), env: { SOPS_CONFIG: path.join(root, ".sops.yaml") } }),
    ).toBeDefined();
  });
});
