// Every namespace the tree declares also gets a ResourceQuota in the tree.
import type { Finding } from "../finding.js";
import { objectRef } from "../tree/manifest-document.js";
import { declaredNamespaces, objectsByNamespace } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

export const namespaceResourceQuotaRule: Rule = {
  id: "namespace-resource-quota",
  description: "Every namespace has a ResourceQuota.",
  check({ documents }) {
    const present = objectsByNamespace(documents, "ResourceQuota");
    const findings: Finding[] = [];
    for (const namespace of declaredNamespaces(documents)) {
      const name = objectRef(namespace).name;
      if (present.has(name)) continue;
      findings.push(
        findingAt(namespace, {
          rule: "namespace-resource-quota",
          path: ["metadata", "name"],
          message: `namespace ${name} has no ResourceQuota`,
          hint: "add a ResourceQuota in the namespace so one workload cannot take the cluster's capacity",
        }),
      );
    }
    return findings;
  },
};
