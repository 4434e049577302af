// Uses the real `kubectl kustomize` and the committed cluster trees (../../clusters).
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesDir, packageDir, repoRoot, validateFixture } from "../test/fixtures.js";
import { kubectlKustomize } from "./kustomize/kustomize-build.js";
import { validateTree } from "./validate-tree.js";

const bin = path.join(packageDir, "bin", "kubeforge-validate.mjs");
// The example clusters encrypt to the demo key: with it, their Talos configs are decrypted and checked too.
const env = { SOPS_AGE_KEY_FILE: path.join(repoRoot, "demo-keys", "age.agekey") };

// The chart check needs the charts' repositories; charts/check-charts.int.test.ts runs it on both
// clusters against a loopback repository. Tests never leave 127.0.0.1.
describe("committed clusters", () => {
  it("validate cleanly through the CLI (exit 0)", async () => {
    const result = await execa(process.execPath, [bin, "--no-charts", "clusters/homelab", "clusters/staging"], {
      cwd: repoRoot,
      env,
      reject: false,
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("kubeforge-validate clusters/homelab (cluster homelab)");
    expect(result.stdout).toContain("kubeforge-validate clusters/staging (cluster staging)");
    expect(result.stdout).toContain("Flux paths built with: kubectl kustomize");
    expect(result.stdout).not.toMatch(/\d+ errors?,/);
    expect(result.exitCode).toBe(0);
  });

  it("report no findings at all in --json", async () => {
    const result = await execa(
      process.execPath,
      [bin, "--no-charts", "--json", "clusters/homelab", "clusters/staging"],
      {
        cwd: repoRoot,
        env,
      },
    );
    const output = JSON.parse(result.stdout) as {
      exitCode: number;
      reports: { findings: unknown[]; stats: { objects: number } }[];
    };
    expect(output.exitCode).toBe(0);
    for (const report of output.reports) {
      expect(report.findings).toEqual([]);
      expect(report.stats.objects).toBeGreaterThan(10);
    }
  });
});

describe("a copy of the homelab tree", () => {
  let workDir: string;
  let clusterDir: string;

  beforeAll(async () => {
    // Inside the package so that cluster.ts still resolves @kubeforge/config.
    workDir = await mkdtemp(path.join(packageDir, ".tmp-"));
    clusterDir = path.join(workDir, "clusters", "homelab");
    await cp(path.join(repoRoot, "clusters", "homelab"), clusterDir, {
      recursive: true,
      filter: (source) => !source.includes("node_modules"),
    });
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("fails when a plaintext Secret is dropped into it", async () => {
    const secret = path.join(clusterDir, "flux", "apps", "db-credentials.yaml");
    await writeFile(
      secret,
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: apps\nstringData:\n  password: hunter2\n",
    );
    try {
      const report = await validateTree({ dir: clusterDir, cwd: workDir, decrypt: false });
      expect(report.cluster).toBe("homelab");
      const errors = report.findings.filter((f) => f.severity === "error");
      expect(errors.map((f) => [f.rule, f.file, f.path, f.line])).toEqual([
        ["no-plaintext-secrets", "clusters/homelab/flux/apps/db-credentials.yaml", "stringData", 6],
      ]);
      const cli = await execa(process.execPath, [bin, "--no-charts", "clusters/homelab"], {
        cwd: workDir,
        reject: false,
      });
      expect(cli.exitCode).toBe(1);
      expect(cli.stdout).toContain("clusters/homelab/flux/apps/db-credentials.yaml");
      expect(cli.stdout).toContain("no-plaintext-secrets");
    } finally {
      await rm(secret);
    }
  });

  it("fails the build check when a kustomization lists a missing file", async () => {
    const kustomization = path.join(clusterDir, "flux", "apps", "kustomization.yaml");
    await writeFile(
      kustomization,
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - web.yaml\n",
    );
    const report = await validateTree({ dir: clusterDir, cwd: workDir, decrypt: false });
    const errors = report.findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => [f.rule, f.file, f.path])).toEqual([
      ["flux-kustomize-build", "clusters/homelab/flux/apps.yaml", "spec.path"],
    ]);
    expect(errors[0]?.message).toContain("web.yaml");
  });
});

describe("flux-kustomize-build fixture", () => {
  it("reports a path that does not build and a path that does not exist", async () => {
    const report = await validateFixture("flux-kustomize-build", {
      kustomize: kubectlKustomize(),
      sourceRoot: fixturesDir,
    });
    const found = report.findings
      .filter((f) => f.rule === "flux-kustomize-build")
      .map((f) => [f.file, f.path, f.line, f.message.split(":")[0]]);
    expect(found).toEqual([
      ["flux-kustomize-build/layers.yaml", "spec.path", 19, "kustomize build of ./flux-kustomize-build/broken fails"],
      [
        "flux-kustomize-build/layers.yaml",
        "spec.path",
        32,
        "path ./flux-kustomize-build/does-not-exist does not exist in the source (looked in flux-kustomize-build/does-not-exist)",
      ],
    ]);
  });

  it("a missing kubectl is a clear error, not a finding", async () => {
    await expect(
      validateFixture("flux-kustomize-build", { kustomize: kubectlKustomize({ kubectl: "kubectl-does-not-exist" }) }),
    ).rejects.toMatchObject({ code: "E_KUSTOMIZE_MISSING" });
  });
});
