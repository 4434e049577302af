// Test helpers: fixture paths and a validateTree call tuned for fixtures (no kubectl, no model).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ValidateTreeOptions, validateTree } from "../src/validate-tree.js";

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const fixturesDir = path.join(packageDir, "test", "fixtures");
export const repoRoot = path.resolve(packageDir, "..", "..");

export function validateFixture(name: string, options: Partial<ValidateTreeOptions> = {}) {
  return validateTree({
    dir: path.join(fixturesDir, name),
    cwd: fixturesDir,
    kustomize: false,
    loadModel: false,
    ...options,
  });
}
