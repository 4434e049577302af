import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { commitStaging, copyIntoStaging, unstageError } from "./staged-output.js";

let root: string;
let cluster: string;
let staging: string;
const put = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-staged-"));
  cluster = path.join(root, "lab");
  staging = path.join(cluster, ".kubeforge", "tmp", "build-1-00000000");
  put(path.join(cluster, "flux", "keep.yaml"), "keep\n");
  put(path.join(cluster, "flux", "old", "gone.yaml"), "gone\n");
  put(path.join(cluster, "talos", "generated", "node-1.sops.yaml"), "v1\n");
  put(path.join(cluster, "talos", "talsecret.sops.yaml"), "bundle\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it("copies only the generated folders, keeping links as links", async () => {
  symlinkSync("/etc/hostname", path.join(cluster, "flux", "link.yaml"));
  await copyIntoStaging(cluster, staging);
  expect(readFileSync(path.join(staging, "flux", "keep.yaml"), "utf8")).toBe("keep\n");
  expect((await lstat(path.join(staging, "flux", "link.yaml"))).isSymbolicLink()).toBe(true);
  expect(existsSync(path.join(staging, "talos", "generated", "node-1.sops.yaml"))).toBe(true);
  expect(existsSync(path.join(staging, "talos", "talsecret.sops.yaml"))).toBe(false);
  expect(existsSync(path.join(staging, "bootstrap"))).toBe(false);
});

it("renames written files into place, deletes removed ones and the folders they emptied", async () => {
  await copyIntoStaging(cluster, staging);
  put(path.join(staging, "talos", "generated", "node-1.sops.yaml"), "v2\n");
  put(path.join(staging, "bootstrap", "cilium-values.yaml"), "new\n");
  rmSync(path.join(staging, "flux", "old"), { recursive: true });
  await commitStaging(cluster, staging, {
    written: ["talos/generated/node-1.sops.yaml", "bootstrap/cilium-values.yaml"],
    removed: ["flux/old/gone.yaml"],
  });
  expect(readFileSync(path.join(cluster, "talos", "generated", "node-1.sops.yaml"), "utf8")).toBe("v2\n");
  expect(readFileSync(path.join(cluster, "bootstrap", "cilium-values.yaml"), "utf8")).toBe("new\n");
  expect(existsSync(path.join(cluster, "flux", "old"))).toBe(false);
  expect(readFileSync(path.join(cluster, "flux", "keep.yaml"), "utf8")).toBe("keep\n");
});

it("names the cluster's own files in an engine's error, not the staged copies", () => {
  const error = unstageError(new Error(`${staging}/flux/x.yaml: is a symlink`), cluster, staging) as Error;
  expect(error.message).toBe(`${cluster}/flux/x.yaml: is a symlink`);
});
