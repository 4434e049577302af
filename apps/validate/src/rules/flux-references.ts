// Every Flux dependsOn and source reference points at an object declared in the tree.
import type { Finding } from "../finding.js";
import { dependsOn, fluxAppliers, fluxObjects, keyOf, objectKey, sourceRefs } from "./flux-objects.js";
import { findingAt, type Rule } from "./rule.js";

export const fluxReferencesRule: Rule = {
  id: "flux-references",
  description: "Flux dependsOn and sourceRef/chartRef entries resolve to objects in the tree.",
  check({ documents }) {
    const declared = new Set(fluxObjects(documents).map(keyOf));
    const findings: Finding[] = [];
    for (const document of fluxAppliers(documents)) {
      for (const reference of dependsOn(document)) {
        if (declared.has(objectKey(reference.kind, reference.namespace, reference.name))) continue;
        findings.push(
          findingAt(document, {
            rule: "flux-references",
            path: reference.path,
            message: `depends on ${reference.kind} ${reference.namespace ?? "default"}/${reference.name}, which the tree does not declare`,
            hint: `fix the name, or add that ${reference.kind}; Flux waits for it forever otherwise`,
          }),
        );
      }
      for (const reference of sourceRefs(document)) {
        if (declared.has(objectKey(reference.kind, reference.namespace, reference.name))) continue;
        findings.push(
          findingAt(document, {
            rule: "flux-references",
            path: reference.path,
            message: `source ${reference.kind} ${reference.namespace ?? "default"}/${reference.name} is not declared in the tree`,
            hint: `add the ${reference.kind} or point sourceRef at an existing source`,
          }),
        );
      }
    }
    return findings;
  },
};
