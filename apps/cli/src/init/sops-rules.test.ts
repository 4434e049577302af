import { expect, it } from "vitest";
import { parse } from "yaml";
import { addClusterCreationRules } from "./sops-rules.js";

const EXISTING = `# SOPS creation rules for this repository.
creation_rules:
  # Secrets of any cluster (a catch-all).
  - path_regex: clusters/[^/]+/secrets/.*\\.sops\\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: age1demo
  # Talos secrets.
  - path_regex: clusters/[^/]+/talos/.*\\.sops\\.yaml$
    age: age1demo

# Two-space YAML.
stores:
  yaml:
    indent: 2
`;
const options = { clusterPath: "clusters/mine", recipients: ["age1mine"] };

it("puts the cluster's rules ahead of the catch-all and keeps every comment", () => {
  const text = addClusterCreationRules(EXISTING, options);
  const rules = parse(text).creation_rules as { path_regex: string; age: string }[];
  expect(rules.map((rule) => rule.age)).toEqual(["age1mine", "age1mine", "age1demo", "age1demo"]);
  expect(new RegExp(rules[0]!.path_regex).test("clusters/mine/git-deploy-key.sops.yaml")).toBe(true);
  expect(new RegExp(rules[0]!.path_regex).test("clusters/mine/secrets/db.sops.yaml")).toBe(true);
  expect(new RegExp(rules[1]!.path_regex).test("clusters/mine/talos/generated/node-1.sops.yaml")).toBe(true);
  expect(new RegExp(rules[1]!.path_regex).test("clusters/other/talos/talsecret.sops.yaml")).toBe(false);
  for (const comment of [
    "# SOPS creation rules",
    "# Secrets of any cluster (a catch-all).",
    "# Talos secrets.",
    "# Two-space YAML.",
  ]) {
    expect(text).toContain(comment);
  }
  // The catch-all's comment still sits right above the catch-all.
  expect(text).toMatch(/# Secrets of any cluster \(a catch-all\)\.\n\s+- path_regex: clusters\/\[\^\/\]\+\/secrets/);
});

it("replaces its own earlier rules instead of adding duplicates, and creates a missing file", () => {
  const twice = addClusterCreationRules(addClusterCreationRules(EXISTING, options), {
    ...options,
    recipients: ["age1new"],
  });
  expect((parse(twice).creation_rules as { age: string }[]).map((rule) => rule.age)).toEqual([
    "age1new",
    "age1new",
    "age1demo",
    "age1demo",
  ]);
  expect(parse(addClusterCreationRules(undefined, options)).creation_rules).toHaveLength(2);
});

it("a second init of the same folder gives the same file, one comment for it (the comment was repeated)", () => {
  const once = addClusterCreationRules(EXISTING, options);
  const twice = addClusterCreationRules(once, options);
  expect(twice).toBe(once);
  expect(twice.split("clusters/mine (written by `kubeforge init`)").length - 1).toBe(1);
  // with another cluster's rules between, each keeps exactly its own comment
  const other = addClusterCreationRules(once, { clusterPath: "clusters/five", recipients: ["age1five"] });
  const again = addClusterCreationRules(other, { clusterPath: "clusters/five", recipients: ["age1five"] });
  expect(again).toBe(other);
  expect(again.split("clusters/five (written by `kubeforge init`)").length - 1).toBe(1);
  expect(again.split("clusters/mine (written by `kubeforge init`)").length - 1).toBe(1);
});

it("names a broken .sops.yaml instead of failing with an internal error", () => {
  expect(() => addClusterCreationRules("creation_rules: [\n", options)).toThrow(/^\.sops\.yaml: /);
  expect(() => addClusterCreationRules("creation_rules: 3\n", options)).toThrow(
    ".sops.yaml: creation_rules is not a list",
  );
});
