// Every namespace the tree declares also gets a ResourceQuota in the tree.
import type { Finding } from "../finding.js";
import { namespacesToCheck, objectsByNamespace, undeclaredHint } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

export const namespaceResourceQuotaRule: Rule = {
  id: "namespace-resource-quota",
  description: "Every namespace has a ResourceQuota.",
  check({ documents }) {
    const present = objectsByNamespace(documents, "ResourceQuota");
    const findings: Finding[] = [];
    for (const namespace of namespacesToCheck(documents)) {
      const name = namespace.name;
      if (present.has(name)) continue;
      findings.push(
        findingAt(namespace.document, {
          rule: "namespace-resource-quota",
          path: namespace.path,
          message: `namespace ${name} has no ResourceQuota`,
          hint:
            "add a ResourceQuota in the namespace so one workload cannot take the cluster's capacity" +
            undeclaredHint(namespace),
        }),
      );
    }
    return findings;
  },
};
