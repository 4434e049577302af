import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expandTargets, splitValidateArgs } from "./validate.js";

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
