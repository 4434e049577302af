// Every namespace the tree declares also gets a LimitRange in the tree.
import type { Finding } from "../finding.js";
import { objectRef } from "../tree/manifest-document.js";
import { declaredNamespaces, objectsByNamespace } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

export const namespaceLimitRangeRule: Rule = {
  id: "namespace-limit-range",
  description: "Every namespace has a LimitRange.",
  check({ documents }) {
    const present = objectsByNamespace(documents, "LimitRange");
    const findings: Finding[] = [];
    for (const namespace of declaredNamespaces(documents)) {
      const name = objectRef(namespace).name;
      if (present.has(name)) continue;
      findings.push(
        findingAt(namespace, {
          rule: "namespace-limit-range",
          path: ["metadata", "name"],
          message: `namespace ${name} has no LimitRange`,
          hint: "add a LimitRange with default requests and limits for containers that set none",
        }),
      );
    }
    return findings;
  },
};
