import { describe, expect, it } from "vitest";
import { compareRuleRecipients, ruleMismatchError, sameRecipients } from "./rule-recipients.js";

const MINE = "age1mine";
const MATE = "age1mate";

describe("compareRuleRecipients", () => {
  it("accepts a rule naming the cluster's recipients in any order, with repeats", () => {
    expect(sameRecipients([MATE, MINE, MINE], [MINE, MATE])).toBe(true);
    expect(compareRuleRecipients([{ file: "a.sops.yaml", rule: { recipients: [MATE, MINE] } }], [MINE, MATE])).toEqual(
      [],
    );
  });

  it("denies a rule with a key pasted over, a missing or an extra key; groups the files per rule", () => {
    const talos = { pathRegex: "talos/.*", recipients: [MATE] };
    const mismatches = compareRuleRecipients(
      [
        { file: "talos/a.sops.yaml", rule: talos },
        { file: "talos/b.sops.yaml", rule: talos },
        { file: "secrets/c.sops.yaml", rule: { pathRegex: "secrets/.*", recipients: [MINE, MATE] } },
        { file: "no-rule.sops.yaml" },
      ],
      [MINE],
    );
    expect(mismatches).toEqual([
      { pathRegex: "talos/.*", ruleRecipients: [MATE], files: ["talos/a.sops.yaml", "talos/b.sops.yaml"] },
      { pathRegex: "secrets/.*", ruleRecipients: [MATE, MINE].sort(), files: ["secrets/c.sops.yaml"] },
    ]);
  });

  it("the refusal names both lists, the files and which to fix", () => {
    const error = ruleMismatchError({
      clusterName: "mine",
      definitionFile: "clusters/mine/cluster.ts",
      sopsConfig: ".sops.yaml",
      expected: [MINE],
      mismatches: [{ pathRegex: "talos/.*", ruleRecipients: [MATE], files: ["clusters/mine/talos/t.sops.yaml"] }],
      folder: "clusters/mine",
    });
    expect(error.code).toBe("E_RECIPIENTS");
    expect(error.message).toContain(`.sops.yaml rule (path_regex talos/.*) names: ${MATE}`);
    expect(error.message).toContain("for clusters/mine/talos/t.sops.yaml");
    expect(error.message).toContain(`clusters/mine/cluster.ts sops.ageRecipients names: ${MINE}`);
    expect(error.message).toContain("nothing was written");
    expect(error.hint).toContain(
      "If the rule is right, change sops.ageRecipients; if cluster.ts is right, fix the rule",
    );
  });
});
