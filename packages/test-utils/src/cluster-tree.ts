// Checks every example cluster's committed Flux tree runs: up to date with its definition, every Flux
// Kustomization path builds with the real `kubectl kustomize`, and Flux objects match the upstream CRDs.
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCrdValidator } from "./crd-validator.js";
import { kustomizeBuild } from "./kustomize.js";

type FluxKustomization = { kind: string; apiVersion: string; metadata: { name: string }; spec: { path: string } };

/** `buildCluster` of @kubeforge/manifests, passed in so this package does not depend on it. */
export type BuildCluster = (options: {
  cluster: string;
  out?: string;
  dryRun?: boolean;
}) => Promise<{ written: string[]; removed: string[] }>;

export function describeClusterTree(clusterDir: string, buildCluster: BuildCluster): void {
  const name = path.basename(clusterDir);
  const flux = path.join(clusterDir, "flux");

  describe(`clusters/${name}/flux`, () => {
    it("is what the definition renders (run `pnpm turbo build` and commit if not)", async () => {
      const copy = path.join(mkdtempSync(path.join(tmpdir(), `kubeforge-${name}-`)), "flux");
      cpSync(flux, copy, { recursive: true });
      const result = await buildCluster({ cluster: path.join(clusterDir, "cluster.ts"), out: copy, dryRun: true });
      expect({ written: result.written, removed: result.removed }).toEqual({ written: [], removed: [] });
    });

    it("builds with kubectl kustomize on every Flux Kustomization path, and its Flux objects match the CRDs", async () => {
      const validator = loadCrdValidator();
      const root = await kustomizeBuild(flux);
      const kustomizations = root.filter((object) => object.kind === "Kustomization") as FluxKustomization[];
      expect(kustomizations.map((object) => object.metadata.name).sort()).toEqual([
        "apps",
        "configs",
        "flux-system",
        "infrastructure",
      ]);
      const repoRoot = path.resolve(clusterDir, "../..");
      for (const kustomization of kustomizations) {
        const objects = await kustomizeBuild(path.join(repoRoot, kustomization.spec.path));
        for (const object of [...root, ...objects] as Array<{
          apiVersion: string;
          kind: string;
          metadata: { name: string };
        }>) {
          // A Flux or prometheus-operator object in a version the targeted CRDs lack fails here, not silently.
          if (!validator.covers(object.apiVersion)) continue;
          expect(
            validator.validate(object),
            `${kustomization.spec.path}: ${object.kind} ${object.metadata.name}`,
          ).toEqual([]);
        }
      }
    });
  });
}
