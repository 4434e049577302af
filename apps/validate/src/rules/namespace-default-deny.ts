// Every namespace has default-deny NetworkPolicies: all pods selected, Ingress and Egress, no allow rules.
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { namespacesToCheck, objectsByNamespace, undeclaredHint } from "./namespaces.js";
import { findingAt, isRecord, type Rule } from "./rule.js";

/** The directions (Ingress/Egress) a NetworkPolicy denies for every pod of its namespace. */
export function deniedDirections(policy: ManifestDocument): string[] {
  const spec = isRecord(policy.object.spec) ? policy.object.spec : {};
  const selector = isRecord(spec.podSelector) ? spec.podSelector : undefined;
  const selectsAll =
    selector !== undefined &&
    Object.values(selector).every((value) =>
      isRecord(value) ? Object.keys(value).length === 0 : Array.isArray(value) && value.length === 0,
    );
  if (!selectsAll) return [];
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : ["Ingress"];
  return types.filter((type) => {
    const rules = spec[type.toLowerCase()];
    return !Array.isArray(rules) || rules.length === 0;
  });
}

export const namespaceDefaultDenyRule: Rule = {
  id: "namespace-default-deny",
  description: "Every namespace has a default-deny NetworkPolicy for Ingress and Egress.",
  check({ documents }) {
    const policies = objectsByNamespace(documents, "NetworkPolicy");
    const findings: Finding[] = [];
    for (const namespace of namespacesToCheck(documents)) {
      const name = namespace.name;
      const denied = new Set((policies.get(name) ?? []).flatMap(deniedDirections));
      const missing = ["Ingress", "Egress"].filter((direction) => !denied.has(direction));
      if (missing.length === 0) continue;
      findings.push(
        findingAt(namespace.document, {
          rule: "namespace-default-deny",
          path: namespace.path,
          message: `namespace ${name} has no default-deny NetworkPolicy for ${missing.join(" and ")}`,
          hint:
            "add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules, then allow what is needed" +
            undeclaredHint(namespace),
        }),
      );
    }
    return findings;
  },
};
