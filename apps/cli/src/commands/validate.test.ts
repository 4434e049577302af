import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useClusterAgeKey } from "../cluster-args.js";
import { defaultTarget, expandTargets, groupByAgeKey, splitValidateArgs } from "./validate.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "expand-"));
  for (const name of ["b", "a"]) {
    mkdirSync(path.join(root, "clusters", name), { recursive: true });
    writeFileSync(path.join(root, "clusters", name, "cluster.yaml"), "name: x\n");
  }
  mkdirSync(path.join(root, "clusters", "notes"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("expands a folder of clusters into each cluster, sorted, and keeps a cluster folder as is", async () => {
  const clusters = path.join(root, "clusters");
  expect(await expandTargets([clusters])).toEqual([path.join(clusters, "a"), path.join(clusters, "b")]);
  expect(await expandTargets([path.join(clusters, "b")])).toEqual([path.join(clusters, "b")]);
});

it("passes kubeforge-validate's options on, values included, and keeps the rest as targets", () => {
  expect(splitValidateArgs(["clusters/", "--offline", "--config", "v.yaml", "--json", "mine"])).toEqual({
    flags: ["--offline", "--config", "v.yaml", "--json"],
    targets: ["clusters/", "mine"],
  });
});

it("defaults to clusters/ at the repository root, and to the current folder elsewhere", () => {
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages: []\n");
  expect(path.resolve(defaultTarget(root))).toBe(path.join(root, "clusters"));
  expect(path.resolve(defaultTarget(path.join(root, "clusters", "a")))).toBe(path.join(root, "clusters", "a"));
});

it("validates each cluster with its own saved age key, not the first cluster's", () => {
  const keys: Record<string, string> = { a: "/keys/a.txt", b: "/keys/b.txt", c: "/keys/a.txt" };
  expect(groupByAgeKey(["a", "b", "c", "d"], (dir) => keys[dir])).toEqual([
    { key: "/keys/a.txt", dirs: ["a", "c", "d"] },
    { key: "/keys/b.txt", dirs: ["b"] },
  ]);
  expect(groupByAgeKey(["d"], () => undefined)).toEqual([{ key: undefined, dirs: ["d"] }]);
});

it("lets a cluster's saved key win over an exported SOPS_AGE_KEY_FILE, naming both", () => {
  const dir = path.join(root, "clusters", "a");
  const key = path.join(root, "a-key.txt");
  writeFileSync(key, "AGE-SECRET-KEY-1X\n");
  mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
  writeFileSync(path.join(dir, ".kubeforge", "age-key-file"), `${key}\n`);
  const env: NodeJS.ProcessEnv = { SOPS_AGE_KEY_FILE: "/home/u/other.txt" };
  const notes: string[] = [];
  expect(useClusterAgeKey(dir, env, (text) => notes.push(text))).toBe(key);
  expect(env.SOPS_AGE_KEY_FILE).toBe(key);
  expect(notes.join("")).toContain(key);
  expect(notes.join("")).toContain("/home/u/other.txt");
});
