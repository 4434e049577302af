// Every namespace the tree declares also gets a LimitRange in the tree.
import type { Finding } from "../finding.js";
import { namespacesToCheck, objectsByNamespace, undeclaredHint } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

export const namespaceLimitRangeRule: Rule = {
  id: "namespace-limit-range",
  description: "Every namespace has a LimitRange.",
  check({ documents }) {
    const present = objectsByNamespace(documents, "LimitRange");
    const findings: Finding[] = [];
    for (const namespace of namespacesToCheck(documents)) {
      const name = namespace.name;
      if (present.has(name)) continue;
      findings.push(
        findingAt(namespace.document, {
          rule: "namespace-limit-range",
          path: namespace.path,
          message: `namespace ${name} has no LimitRange`,
          hint:
            "add a LimitRange with default requests and limits for containers that set none" +
            undeclaredHint(namespace),
        }),
      );
    }
    return findings;
  },
};
