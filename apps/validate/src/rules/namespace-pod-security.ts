// Every namespace sets a Pod Security Admission level to enforce (and only valid levels).
import type { Finding } from "../finding.js";
import { declaredNamespaces, labelsOf, namespacesToCheck } from "./namespaces.js";
import { findingAt, type Rule } from "./rule.js";

const LEVELS = ["privileged", "baseline", "restricted"];
const ENFORCE = "pod-security.kubernetes.io/enforce";

export const namespacePodSecurityRule: Rule = {
  id: "namespace-pod-security",
  description: "Every namespace has Pod Security labels with a valid enforce level.",
  check({ documents }) {
    const findings: Finding[] = [];
    for (const namespace of namespacesToCheck(documents).filter((entry) => !entry.declared)) {
      findings.push(
        findingAt(namespace.document, {
          rule: "namespace-pod-security",
          path: namespace.path,
          message: `namespace ${namespace.name} is not declared in the tree, so it has no ${ENFORCE} label`,
          hint: `declare Namespace ${namespace.name} with ${ENFORCE}: restricted (or baseline/privileged with a documented reason)`,
        }),
      );
    }
    for (const namespace of declaredNamespaces(documents)) {
      const labels = labelsOf(namespace);
      if (labels[ENFORCE] === undefined) {
        findings.push(
          findingAt(namespace, {
            rule: "namespace-pod-security",
            path: ["metadata", "labels"],
            message: `has no ${ENFORCE} label`,
            hint: `add ${ENFORCE}: restricted (or baseline/privileged with a documented reason)`,
          }),
        );
      }
      for (const mode of ["enforce", "audit", "warn"]) {
        const key = `pod-security.kubernetes.io/${mode}`;
        const value = labels[key];
        if (value === undefined || LEVELS.includes(String(value))) continue;
        findings.push(
          findingAt(namespace, {
            rule: "namespace-pod-security",
            path: ["metadata", "labels", key],
            message: `${key} is "${String(value)}"`,
            hint: `use one of ${LEVELS.join(", ")}`,
          }),
        );
      }
    }
    return findings;
  },
};
