import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useClusterAgeKey } from "../cluster-args.js";
import {
  defaultTarget,
  describeUnchecked,
  expandTargets,
  groupByAgeKey,
  mergeJsonReports,
  splitValidateArgs,
  takeJsonFile,
  uncheckedFiles,
} from "./validate.js";

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

it("validates each cluster with its own saved age key; a cluster without one keeps the user's environment", () => {
  const keys: Record<string, string> = { a: "/keys/a.txt", b: "/keys/b.txt", c: "/keys/a.txt" };
  // Before: d (no saved key) joined a's group and was decrypted with a's key instead of SOPS_AGE_KEY_FILE.
  expect(groupByAgeKey(["d", "a", "b", "c", "e"], (dir) => keys[dir])).toEqual([
    { key: undefined, dirs: ["d", "e"] },
    { key: "/keys/a.txt", dirs: ["a", "c"] },
    { key: "/keys/b.txt", dirs: ["b"] },
  ]);
  expect(groupByAgeKey(["d"], () => undefined)).toEqual([{ key: undefined, dirs: ["d"] }]);
});

it("counts the Talos configs kubeforge-validate could not open from each report's notChecked, not the wording", () => {
  const json = JSON.stringify({
    reports: [
      {
        findings: [
          // Reworded: the count does not depend on the message (it matched a regex over it before).
          { file: "c/a/talos/n.sops.yaml", rule: "talos-schema", message: "encrypted; no key opened it" },
          // The old wording without notChecked: not counted.
          { file: "c/a/talos/m.sops.yaml", rule: "talos-schema", message: "could not decrypt: no key" },
        ],
        notChecked: [{ file: "c/a/talos/n.sops.yaml", reason: "no decryption available" }],
      },
      { findings: [], notChecked: [] },
      { findings: [] },
    ],
  });
  expect(uncheckedFiles(json)).toEqual(["c/a/talos/n.sops.yaml"]);
  expect(uncheckedFiles("no findings\n")).toEqual([]);
  expect(uncheckedFiles("")).toEqual([]);
});

it("takes the user's --json-file out of the flags passed on, the last one winning", () => {
  const flags = ["--offline", "--json-file", "a.json", "--strict", "--json-file=b.json"];
  expect(takeJsonFile(flags)).toBe("b.json");
  expect(flags).toEqual(["--offline", "--strict"]);
  expect(takeJsonFile(["--json"])).toBeUndefined();
});

it("says how many files were NOT checked, per cluster, and that --strict fails on them", () => {
  const files = [
    "clusters/a/talos/generated/n1.sops.yaml",
    "clusters/a/talos/generated/n2.sops.yaml",
    "clusters/b/t.yaml",
  ];
  const text = describeUnchecked(files, ["clusters/a", "clusters/b"], false);
  expect(text).toContain("3 files NOT checked (no key)");
  expect(text).toContain("clusters/a (2), clusters/b (1)");
  expect(text).toContain("--strict fails the run");
  expect(describeUnchecked(files, ["clusters/a", "clusters/b"], true)).not.toContain("--strict");
  expect(describeUnchecked([], ["clusters/a"], false)).toBe("");
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

it("merges the key groups' --json reports into one document that lists the files not checked", () => {
  const a = JSON.stringify({ reports: [{ target: "clusters/a" }], exitCode: 0 });
  const b = JSON.stringify({ reports: [{ target: "clusters/b" }], exitCode: 1 });
  expect(JSON.parse(mergeJsonReports([a, b], 1, ["clusters/b/talos/n.sops.yaml"]))).toEqual({
    reports: [{ target: "clusters/a" }, { target: "clusters/b" }],
    exitCode: 1,
    notChecked: ["clusters/b/talos/n.sops.yaml"],
  });
  const stopped = JSON.stringify({ error: { code: "E_USAGE", message: "bad" } });
  expect(mergeJsonReports([a, stopped], 2, [])).toBe(`${stopped}\n`);
});

it("reads --cluster <x> and --cluster=<x> as cluster arguments (they were unknown options)", () => {
  expect(splitValidateArgs(["--offline", "--cluster", "mine", "--cluster=home", "x"])).toEqual({
    flags: ["--offline"],
    targets: ["mine", "home", "x"],
  });
});
