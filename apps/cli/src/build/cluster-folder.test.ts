import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { expect, it } from "vitest";
import { assertNameMatchesFolder } from "./cluster-folder.js";

const cluster = (name: string, fluxPath?: string) =>
  ({ name, flux: fluxPath === undefined ? {} : { path: fluxPath } }) as unknown as Cluster;
const repo = path.resolve("/repo");
const file = path.join(repo, "clusters", "mine", "cluster.ts");

it("refuses a name that is not the folder's under clusters/, naming file, field, both values and the fix", () => {
  expect(() => assertNameMatchesFolder(file, cluster("other"), repo)).toThrow(
    expect.objectContaining({
      code: "E_INPUT",
      message: expect.stringContaining(
        'clusters/mine/cluster.ts: name: "other" differs from its folder clusters/mine/, so Flux would sync ./clusters/other/flux',
      ),
      hint: expect.stringMatching(
        /set `name: "mine"` again, or move the folder to clusters\/other\/[\s\S]*clusterName/,
      ),
    }),
  );
});

it("allows the folder's name, an explicit flux.path, and definitions outside clusters/", () => {
  expect(() => assertNameMatchesFolder(file, cluster("mine"), repo)).not.toThrow();
  expect(() => assertNameMatchesFolder(file, cluster("other", "./clusters/mine/flux"), repo)).not.toThrow();
  expect(() =>
    assertNameMatchesFolder(path.join(repo, "scratch", "lab", "cluster.ts"), cluster("homelab")),
  ).not.toThrow();
});
