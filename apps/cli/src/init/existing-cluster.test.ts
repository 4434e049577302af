import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { existingClusterError } from "./existing-cluster.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-existing-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const make = (parts: { rules?: boolean; lock?: boolean; flux?: boolean }) => {
  mkdirSync(path.join(root, "clusters", "three"), { recursive: true });
  if (parts.rules)
    writeFileSync(path.join(root, ".sops.yaml"), "creation_rules:\n  - path_regex: (^|/)clusters/three/x\n");
  if (parts.lock)
    writeFileSync(path.join(root, "pnpm-lock.yaml"), "importers:\n\n  clusters/three:\n    dependencies: {}\n");
  if (parts.flux) mkdirSync(path.join(root, "clusters", "three", "flux"));
};

it("is undefined for a new name", () => {
  expect(existingClusterError(root, "three")).toBeUndefined();
});

it("names the exact next step for each way init can stop half-way", () => {
  make({});
  expect(existingClusterError(root, "three")?.hint).toBe(
    "nothing uses it yet: remove it with `rm -rf clusters/three`, then run `kubeforge init three …` again",
  );
  make({ rules: true });
  expect(existingClusterError(root, "three")?.hint).toBe(
    "run `pnpm install && kubeforge build three && kubeforge validate three`",
  );
  make({ rules: true, lock: true });
  expect(existingClusterError(root, "three")?.hint).toMatch(/^run `kubeforge build three && kubeforge validate three`/);
  make({ rules: true, lock: true, flux: true });
  const done = existingClusterError(root, "three");
  expect(done?.message).toBe("clusters/three already exists; init never touches an existing cluster");
  expect(done?.hint).toContain("edit clusters/three/cluster.ts");
});

it("does not take another cluster's lockfile entry for this one", () => {
  make({ rules: true });
  writeFileSync(path.join(root, "pnpm-lock.yaml"), "importers:\n\n  clusters/three-b:\n    dependencies: {}\n");
  expect(existingClusterError(root, "three")?.message).toContain("is not in pnpm-lock.yaml");
});
