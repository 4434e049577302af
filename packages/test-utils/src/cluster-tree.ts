// Checks every example cluster's committed Flux tree runs: up to date with its definition, every Flux
// Kustomization path builds with the real `kubectl kustomize`, and Flux objects match the upstream CRDs.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadSchemaValidator } from "./crd-validator.js";
import { kustomizeBuild } from "./kustomize.js";

type FluxKustomization = { kind: string; apiVersion: string; metadata: { name: string }; spec: { path: string } };

/** `buildCluster` of @kubeforge/manifests, passed in so this package does not depend on it. */
export type BuildCluster = (options: {
  cluster: string;
  out?: string;
  dryRun?: boolean;
}) => Promise<{ written: string[]; removed: string[] }>;

/** A cilium.io object annotated for validate as having no committed schema (see namespace-guardrails). */
export function isAcknowledgedCiliumObject(object: {
  apiVersion: string;
  metadata: { annotations?: unknown };
}): boolean {
  const annotations = (object.metadata.annotations ?? {}) as Record<string, unknown>;
  const ignore = annotations["kubeforge.dev/validate-ignore"];
  return object.apiVersion.startsWith("cilium.io/") && typeof ignore === "string" && ignore.startsWith("unknown-kind:");
}

export function describeClusterTree(clusterDir: string, buildCluster: BuildCluster): void {
  const name = path.basename(clusterDir);
  const flux = path.join(clusterDir, "flux");

  describe(`clusters/${name}/flux`, () => {
    it("is what the definition renders (run `pnpm turbo build` and commit if not)", async () => {
      const scratch = mkdtempSync(path.join(tmpdir(), `kubeforge-${name}-`));
      onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
      const copy = path.join(scratch, "flux");
      cpSync(flux, copy, { recursive: true });
      const result = await buildCluster({ cluster: path.join(clusterDir, "cluster.ts"), out: copy, dryRun: true });
      expect({ written: result.written, removed: result.removed }).toEqual({ written: [], removed: [] });
    });

    it("builds with kubectl kustomize on every Flux Kustomization path, and every object matches its schema strictly", async () => {
      const validator = await loadSchemaValidator();
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
          metadata: { name: string; annotations?: unknown };
        }>) {
          // SOPS-encrypted Secrets carry a `sops` block the API server never sees (Flux decrypts first).
          if ("sops" in object) continue;
          // Cilium installs its own CRDs (none is committed); such objects say so for validate.
          if (isAcknowledgedCiliumObject(object)) continue;
          expect(validator.has(object.apiVersion, object.kind), `${object.kind} has a schema`).toBe(true);
          expect(
            validator.validate(object),
            `${kustomization.spec.path}: ${object.kind} ${object.metadata.name}`,
          ).toEqual([]);
        }
      }
    });
  });
}
