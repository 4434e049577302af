// Rules of the form "every namespace has an object of kind K in the tree" (ResourceQuota, LimitRange).
import type { Finding } from "../finding.js";
import { namespacesToCheck, objectsByNamespace, undeclaredHint } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

export interface NamespaceObjectRuleSpec {
  readonly id: string;
  readonly kind: string;
  /** What to add and why, e.g. "add a LimitRange with default requests …". */
  readonly hint: string;
}

export function namespaceObjectRule({ id, kind, hint }: NamespaceObjectRuleSpec): Rule {
  return {
    id,
    description: `Every namespace has a ${kind}.`,
    check({ documents }) {
      const present = objectsByNamespace(documents, kind);
      const findings: Finding[] = [];
      for (const namespace of namespacesToCheck(documents)) {
        if (present.has(namespace.name)) continue;
        findings.push(
          findingAt(namespace.document, {
            rule: id,
            path: namespace.path,
            message: `namespace ${namespace.name} has no ${kind}`,
            hint: hint + undeclaredHint(namespace),
          }),
        );
      }
      return findings;
    },
  };
}
