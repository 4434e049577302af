// Flux dependsOn chains must not loop: a cycle leaves every member waiting on another.
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { dependsOn, fluxAppliers, keyOf, objectKey } from "./flux-objects.js";
import { findingAt, type Rule } from "./rule.js";

function findCycles(nodes: Map<string, ManifestDocument>): string[][] {
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (key: string) => {
    state.set(key, "visiting");
    stack.push(key);
    const document = nodes.get(key);
    for (const reference of document ? dependsOn(document) : []) {
      const target = objectKey(reference.kind, reference.namespace, reference.name);
      if (!nodes.has(target)) continue;
      if (state.get(target) === "visiting") cycles.push(stack.slice(stack.indexOf(target)));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(key, "done");
  };
  for (const key of [...nodes.keys()].sort()) if (!state.has(key)) visit(key);
  return cycles;
}

export const fluxCyclesRule: Rule = {
  id: "flux-cycles",
  description: "Flux Kustomization and HelmRelease dependsOn graphs have no cycles.",
  check({ documents }) {
    const nodes = new Map(fluxAppliers(documents).map((d) => [keyOf(d), d]));
    const findings: Finding[] = [];
    for (const cycle of findCycles(nodes)) {
      const first = nodes.get(cycle[0] ?? "");
      if (!first) continue;
      const names = [...cycle, cycle[0] ?? ""].map((key) => key.split("/").slice(1).join("/"));
      findings.push(
        findingAt(first, {
          rule: "flux-cycles",
          path: ["spec", "dependsOn"],
          message: `dependsOn cycle: ${names.join(" → ")}`,
          hint: "remove one dependsOn edge of the cycle",
        }),
      );
    }
    return findings;
  },
};
