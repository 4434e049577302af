import { describe, expect, it } from "vitest";
import { parseManifestText } from "../tree/load-documents.js";
import { deniedDirections, namespaceDefaultDenyRule } from "./namespace-default-deny.js";
import type { RuleContext } from "./rule.js";

function documentsOf(text: string) {
  return parseManifestText(text, { file: "team.yaml", absolutePath: "/team.yaml" }).documents;
}

function policy(spec: string, namespace = "team", name = "p"): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n`;
}

const NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n";

describe("deniedDirections: only a policy that selects every pod and allows nothing is a default deny", () => {
  const cases = [
    { spec: "{podSelector: {}, policyTypes: [Ingress, Egress]}", denied: ["Ingress", "Egress"] },
    { spec: "{podSelector: {matchLabels: {}}, policyTypes: [Ingress, Egress]}", denied: ["Ingress", "Egress"] },
    { spec: "{podSelector: {matchExpressions: []}, policyTypes: [Egress]}", denied: ["Egress"] },
    { spec: "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress]}", denied: [] },
    {
      spec: "{podSelector: {matchExpressions: [{key: app, operator: Exists}]}, policyTypes: [Ingress, Egress]}",
      denied: [],
    },
    { spec: "{policyTypes: [Ingress, Egress]}", denied: [] },
    { spec: "{podSelector: {}}", denied: ["Ingress"] },
    { spec: "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}]}", denied: ["Egress"] },
    {
      spec: "{podSelector: {}, policyTypes: [Ingress, Egress], egress: [{to: [{podSelector: {}}]}]}",
      denied: ["Ingress"],
    },
    {
      spec: "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}",
      denied: ["Ingress", "Egress"],
    },
  ];
  it.each(cases)("$spec → $denied", ({ spec, denied }) => {
    const [document] = documentsOf(policy(spec));
    expect(document).toBeDefined();
    expect(document ? deniedDirections(document) : undefined).toEqual(denied);
  });
});

describe("namespace-default-deny rule", () => {
  const check = (text: string) =>
    namespaceDefaultDenyRule.check({ documents: documentsOf(text) } as unknown as RuleContext) as ReturnType<
      typeof namespaceDefaultDenyRule.check
    >;

  it("does not count a policy that selects only some pods as the namespace's default deny", async () => {
    const findings = await check(
      [NAMESPACE, policy("{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress]}")].join("---\n"),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: "namespace-default-deny", path: "metadata.name", line: 3 });
    expect(findings[0]?.message).toBe("namespace team has no default-deny NetworkPolicy for Ingress and Egress");
  });

  it("accepts separate all-pods denies for each direction, and ignores policies of other namespaces", async () => {
    const ingress = policy("{podSelector: {}, policyTypes: [Ingress]}", "team", "deny-ingress");
    const egress = policy("{podSelector: {}, policyTypes: [Egress]}", "team", "deny-egress");
    expect(await check([NAMESPACE, ingress, egress].join("---\n"))).toEqual([]);
    const elsewhere = policy("{podSelector: {}, policyTypes: [Egress]}", "other", "deny-egress");
    const findings = await check([NAMESPACE, ingress, elsewhere].join("---\n"));
    expect(findings.map((finding) => finding.message)).toEqual([
      "namespace team has no default-deny NetworkPolicy for Egress",
    ]);
  });
});
