import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { findDefinition, findDefinitionPath, findRepositoryRoot } from "./find-definition.js";

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "find-definition-"));
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages: []\n");
  mkdirSync(path.join(root, "clusters", "lab"), { recursive: true });
  writeFileSync(path.join(root, "clusters", "lab", "cluster.yaml"), "name: lab\n");
  mkdirSync(path.join(root, "clusters", "empty"), { recursive: true });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

it("accepts a file, a folder and a cluster name under clusters/", () => {
  const file = path.join(root, "clusters", "lab", "cluster.yaml");
  expect(findDefinition(file)).toBe(file);
  expect(findDefinition("clusters/lab", { cwd: root })).toBe(file);
  expect(findDefinition("lab", { cwd: path.join(root, "clusters", "empty") })).toBe(file);
  expect(findDefinition(undefined, { cwd: path.join(root, "clusters", "lab") })).toBe(file);
});

it("fails with a ConfigError that lists the known clusters, never searching above the repository", () => {
  const attempt = (target: string, cwd = root) => {
    try {
      findDefinition(target, { cwd });
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error("expected a failure");
  };
  const missing = attempt("nope");
  expect(missing).toBeInstanceOf(ConfigError);
  expect(missing.message).toContain("nope: is neither a path nor a cluster under clusters/");
  expect(missing.message).toContain("(lab)");
  // A file name is not a cluster name: `nope.ts` does not exist (was "is neither a path nor a cluster").
  expect(attempt("nope.ts").message).toContain("nope.ts: does not exist");
  // With no target the message names the working directory, not "."
  expect(() => findDefinition(undefined, { cwd: path.join(root, "clusters", "empty") })).toThrow(
    `${path.join(root, "clusters", "empty")}: has no cluster.ts`,
  );
  expect(attempt("clusters/empty").message).toContain("has no cluster.ts, cluster.yaml, cluster.yml, cluster.json");
  expect(findRepositoryRoot(path.join(root, "clusters", "lab"))).toBe(root);
});

it("findDefinitionPath keeps the user's text for a file and names the file found in a folder or under clusters/", () => {
  expect(findDefinitionPath("clusters/lab/cluster.yaml", { cwd: root })).toBe("clusters/lab/cluster.yaml");
  expect(findDefinitionPath("clusters/lab", { cwd: root })).toBe(path.join("clusters", "lab", "cluster.yaml"));
  expect(findDefinitionPath("lab", { cwd: root })).toBe(path.join("clusters", "lab", "cluster.yaml"));
  expect(findDefinitionPath(path.join(root, "clusters", "lab"), { cwd: root })).toBe(
    path.join(root, "clusters", "lab", "cluster.yaml"),
  );
  expect(findDefinitionPath(undefined, { cwd: path.join(root, "clusters", "lab") })).toBe("cluster.yaml");
});
