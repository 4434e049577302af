// Every Flux Kustomization path stays inside the source, exists, fetches nothing and builds with kustomize.
// Builds run concurrently (kustomize is a child process; the rest of the run goes on meanwhile).
import path from "node:path";
import type { Finding } from "../finding.js";
import { planKustomizeBuilds } from "../kustomize/kustomize-plan.js";
import { findingAt, type Rule } from "./rule.js";

export const fluxKustomizeBuildRule: Rule = {
  id: "flux-kustomize-build",
  description: "Every Flux Kustomization spec.path stays in the source, exists, has no remote resources and builds.",
  async check({ documents, sourceRoot, kustomize, displayBase }) {
    const plans = planKustomizeBuilds(documents, { sourceRoot, displayBase });
    const results = await Promise.all(plans.map((plan) => (kustomize && plan.build ? kustomize(plan.dir) : undefined)));
    const findings: Finding[] = [];
    const reported = new Set<string>();
    plans.forEach((plan, index) => {
      // A remote resource in a base that several Flux paths include is one problem; the same bad spec.path in
      // two Kustomizations of one file is two (they differ in line).
      for (const finding of plan.findings) {
        const key = `${finding.file}|${finding.line}|${finding.path}|${finding.message}`;
        if (reported.has(key)) continue;
        reported.add(key);
        findings.push(finding);
      }
      const result = results[index];
      if (!result || result.ok) return;
      findings.push(
        findingAt(plan.document, {
          rule: "flux-kustomize-build",
          path: ["spec", "path"],
          message: `kustomize build of ${plan.fluxPath} fails: ${result.message}`,
          hint: `run \`kubectl kustomize ${path.relative(process.cwd(), plan.dir) || "."}\` and fix the kustomization`,
        }),
      );
    });
    return findings;
  },
};
