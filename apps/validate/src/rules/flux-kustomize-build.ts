// Every Flux Kustomization path exists in the source and builds with kustomize (via `kubectl kustomize`).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Finding } from "../finding.js";
import { isFluxKustomization, spec } from "./flux-objects.js";
import { findingAt, type Rule } from "./rule.js";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const fluxKustomizeBuildRule: Rule = {
  id: "flux-kustomize-build",
  description: "Every Flux Kustomization spec.path exists and builds with kustomize.",
  async check({ documents, sourceRoot, kustomize, displayBase }) {
    const findings: Finding[] = [];
    const built = new Map<string, Awaited<ReturnType<NonNullable<typeof kustomize>>>>();
    for (const document of documents.filter(isFluxKustomization)) {
      const fluxPath = typeof spec(document).path === "string" ? String(spec(document).path) : "./";
      const dir = path.resolve(sourceRoot, fluxPath);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        findings.push(
          findingAt(document, {
            rule: "flux-kustomize-build",
            path: ["spec", "path"],
            message: `path ${fluxPath} does not exist in the source (looked in ${path.relative(displayBase, dir) || "."})`,
            hint: "fix spec.path; it is relative to the root of the Git source",
          }),
        );
        continue;
      }
      // Without a kustomization file Flux generates one from every manifest in the folder: nothing to build.
      if (!kustomize || !KUSTOMIZATION_FILES.some((name) => existsSync(path.join(dir, name)))) continue;
      const result = built.get(dir) ?? (await kustomize(dir));
      built.set(dir, result);
      if (!result.ok) {
        findings.push(
          findingAt(document, {
            rule: "flux-kustomize-build",
            path: ["spec", "path"],
            message: `kustomize build of ${fluxPath} fails: ${result.message}`,
            hint: `run \`kubectl kustomize ${path.relative(process.cwd(), dir) || "."}\` and fix the kustomization`,
          }),
        );
      }
    }
    return findings;
  },
};
