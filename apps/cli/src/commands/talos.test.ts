import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AGE_KEY_POINTER } from "../cluster-args.js";
import { talosArgs } from "./talos.js";

let root: string;
let key: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "talos-args-"));
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages: []\n");
  key = path.join(root, "mine-key.txt");
  writeFileSync(key, "AGE-SECRET-KEY-1X\n");
  for (const name of ["mine", "other"]) {
    const dir = path.join(root, "clusters", name);
    mkdirSync(path.join(dir, "talos", "generated"), { recursive: true });
    mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
    writeFileSync(path.join(dir, "cluster.ts"), "export default {};\n");
    writeFileSync(path.join(dir, "talos", "generated", "node-1.sops.yaml"), "sops:\n");
    writeFileSync(path.join(dir, AGE_KEY_POINTER), `${name === "mine" ? key : path.join(root, "other-key.txt")}\n`);
  }
  writeFileSync(path.join(root, "other-key.txt"), "AGE-SECRET-KEY-1Y\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("gives gen/apply run inside a cluster folder that cluster and its saved key, as build does", async () => {
  const cwd = path.join(root, "clusters", "mine", "talos");
  const env: NodeJS.ProcessEnv = {};
  expect(await talosArgs(["gen", "config"], cwd, env)).toEqual(["gen", "config", "--cluster", "../cluster.ts"]);
  expect(env.SOPS_AGE_KEY_FILE).toBe(key);
});

it("opens `validate FILE` with the saved key of the cluster holding the file", async () => {
  const env: NodeJS.ProcessEnv = {};
  const args = ["validate", "clusters/mine/talos/generated/node-1.sops.yaml"];
  expect(await talosArgs(args, root, env)).toEqual(args);
  expect(env.SOPS_AGE_KEY_FILE).toBe(key);
});

it("refuses to open files of two clusters with one of their keys", async () => {
  const env: NodeJS.ProcessEnv = {};
  const args = [
    "validate",
    "clusters/mine/talos/generated/node-1.sops.yaml",
    "clusters/other/talos/generated/node-1.sops.yaml",
  ];
  await expect(talosArgs(args, root, env)).rejects.toThrow(/own saved age keys: clusters\/mine, clusters\/other/);
  expect(env.SOPS_AGE_KEY_FILE).toBeUndefined();
});

it("changes nothing outside a cluster folder", async () => {
  const env: NodeJS.ProcessEnv = {};
  expect(await talosArgs(["gen", "config"], root, env)).toEqual(["gen", "config"]);
  expect(env).toEqual({});
});

it("keeps kubeforge-talos's printed recoveries runnable: only the bin name changes, --cluster and --from stay", async () => {
  const { renameInHelp } = await import("../delegate.js");
  const hint =
    "recover it with `kubeforge-talos gen secrets --cluster clusters/mine --from clusters/mine/talos/generated/<control-plane>.sops.yaml`";
  expect(renameInHelp(hint, "kubeforge-talos", "kubeforge talos")).toBe(
    "recover it with `kubeforge talos gen secrets --cluster clusters/mine --from clusters/mine/talos/generated/<control-plane>.sops.yaml`",
  );
});
