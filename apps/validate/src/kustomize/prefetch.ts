// Starts the kustomize builds of a cluster's Flux paths as early as possible: before the CLI loads the heavy
// modules (the cluster model, schemas, SOPS), so the children run while they load. Only light modules here.
import path from "node:path";
import { isFluxKustomization, spec } from "../rules/flux-objects.js";
import { inferSourceRoot, resolveLayout } from "../tree/cluster-layout.js";
import { parseTreeFiles, readYamlFiles } from "../tree/load-documents.js";
import { type KustomizeBuild, memoizeBuild } from "./kustomize-build.js";
import { planKustomizeBuilds } from "./kustomize-plan.js";

export interface PrefetchOptions {
  readonly dir: string;
  readonly sourceRoot?: string;
  readonly build: KustomizeBuild;
}

/**
 * Plans the builds exactly as the flux-kustomize-build rule does (so nothing with a remote resource or outside
 * the source root is ever built), starts them, and returns a build function that hands out their results.
 * Errors here are left to the real run, which reports them properly.
 */
export async function prefetchKustomize(options: PrefetchOptions): Promise<KustomizeBuild> {
  const build = memoizeBuild(options.build);
  try {
    const layout = resolveLayout(options.dir);
    const files = (await readYamlFiles(layout.fluxDir, { displayBase: process.cwd() })).filter((file) =>
      file.content.includes("kustomize.toolkit.fluxcd.io"),
    );
    const documents = parseTreeFiles(files).documents.filter(isFluxKustomization);
    const fluxPaths = documents.map((document) => String(spec(document).path ?? ""));
    const sourceRoot = options.sourceRoot
      ? path.resolve(options.sourceRoot)
      : inferSourceRoot(layout.fluxDir, fluxPaths);
    for (const plan of planKustomizeBuilds(documents, { sourceRoot, displayBase: process.cwd() }))
      if (plan.build) build(plan.dir);
  } catch {
    // the run reads the same tree and reports what is wrong with it
  }
  return build;
}
