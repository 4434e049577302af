import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AGE_KEY_POINTER } from "../cluster-args.js";
import { upgradeArgs } from "./upgrade.js";

// A repository with one cluster whose age key `kubeforge init` saved. Before the fix `kubeforge upgrade plan mine`
// (or `plan` inside clusters/mine) ran without that key: the secrets bundle could not be opened and the plan fell
// back to a simulated live state, exit 0.
let root: string;
let key: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "upgrade-args-"));
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages: []\n");
  key = path.join(root, "mine-key.txt");
  writeFileSync(key, "AGE-SECRET-KEY-1X\n");
  const dir = path.join(root, "clusters", "mine");
  mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
  mkdirSync(path.join(dir, "talos"), { recursive: true });
  writeFileSync(path.join(dir, "cluster.ts"), "export default {};\n");
  writeFileSync(path.join(dir, AGE_KEY_POINTER), `${key}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("uses the saved key of the cluster named after the command, whatever flags come first", async () => {
  for (const args of [
    ["plan", "mine"],
    ["plan", "--kubeconfig", "kube.yaml", "mine", "--json"],
    ["run", "--timeout", "10m", "clusters/mine"],
  ]) {
    const env: NodeJS.ProcessEnv = {};
    expect(await upgradeArgs(args, root, env)).toEqual(args);
    expect(env.SOPS_AGE_KEY_FILE, args.join(" ")).toBe(key);
  }
});

it("uses the saved key of the cluster folder it runs in, and leaves an unknown cluster to kubeforge-upgrade", async () => {
  const env: NodeJS.ProcessEnv = {};
  await upgradeArgs(["plan"], path.join(root, "clusters", "mine", "talos"), env);
  expect(env.SOPS_AGE_KEY_FILE).toBe(key);
  const none: NodeJS.ProcessEnv = {};
  expect(await upgradeArgs(["plan", "nosuch"], root, none)).toEqual(["plan", "nosuch"]);
  expect(none).toEqual({});
  // `--kubeconfig mine` is the flag's value, not the cluster
  const flagValue: NodeJS.ProcessEnv = {};
  await upgradeArgs(["status", "--kubeconfig", "mine"], root, flagValue);
  expect(flagValue).toEqual({});
});
