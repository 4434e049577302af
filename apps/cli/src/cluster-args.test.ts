import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AGE_KEY_POINTER, loadDefinition, useClusterAgeKey, useKeyOfFiles } from "./cluster-args.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "cluster-args-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("names the saved pointer and the missing key when the key file is gone, and leaves the environment alone", () => {
  const dir = path.join(root, "mine");
  const gone = path.join(root, "moved-away", "keys.txt");
  mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
  writeFileSync(path.join(dir, AGE_KEY_POINTER), `${gone}\n`);
  const env: NodeJS.ProcessEnv = { SOPS_AGE_KEY_FILE: "/home/u/keys.txt" };
  const notes: string[] = [];
  expect(useClusterAgeKey(dir, env, (text) => notes.push(text))).toBeUndefined();
  const text = notes.join("");
  expect(text).toContain(path.join("mine", ".kubeforge", "age-key-file"));
  expect(text).toContain(`${gone}, which does not exist`);
  expect(text).toContain(`fix: put the key back at ${gone}`);
  expect(env.SOPS_AGE_KEY_FILE).toBe("/home/u/keys.txt");
});

it("says nothing for a cluster without a saved key", () => {
  const dir = path.join(root, "plain");
  mkdirSync(dir, { recursive: true });
  const notes: string[] = [];
  const env: NodeJS.ProcessEnv = {};
  expect(useClusterAgeKey(dir, env, (text) => notes.push(text))).toBeUndefined();
  expect(notes).toEqual([]);
  expect(env).toEqual({});
});

it("keeps file:line:col of a cluster.ts syntax error, with a TypeScript fix", async () => {
  const file = path.join(root, "ts", "cluster.ts");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'export default {\n  name: "x",\n  flux: { branch: "main" \n};\n');
  // @kubeforge/config reports it (typed, with the location); the CLI passes it through unchanged
  const error = await loadDefinition(file).then(
    () => undefined,
    (caught: unknown) => caught as { message: string; code?: string; issues?: { hint?: string }[] },
  );
  expect(error?.code).toBe("E_CONFIG_PARSE");
  expect(error?.message).toMatch(/cluster\.ts: line \d+:\d+: syntax error: Unexpected token/);
  expect(error?.issues?.[0]?.hint).toContain("TypeScript");
});

it("turns a cluster.json syntax error's position into line:col, with a JSON fix", async () => {
  const file = path.join(root, "json", "cluster.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '{\n  "name": "x"\n  "a": 1\n}\n');
  const error = await loadDefinition(file).then(
    () => undefined,
    (caught: unknown) => caught as { message: string; issues?: { hint?: string }[] },
  );
  expect(error?.message).toContain("cluster.json: line 3:3: invalid JSON:");
  expect(error?.issues?.[0]?.hint).toContain("JSON");
  expect(error?.issues?.[0]?.hint).not.toContain("TypeScript");
});

it("uses the saved key of the files' cluster, and refuses files of two clusters with their own keys", async () => {
  const key = path.join(root, "k.txt");
  writeFileSync(key, "AGE-SECRET-KEY-1\n");
  for (const name of ["one", "two"]) {
    mkdirSync(path.join(root, "pair", name, ".kubeforge"), { recursive: true });
    writeFileSync(path.join(root, "pair", name, "cluster.yaml"), `name: ${name}\n`);
    writeFileSync(path.join(root, "pair", name, AGE_KEY_POINTER), `${key}\n`);
    writeFileSync(path.join(root, "pair", name, "s.sops.yaml"), "a: b\n");
  }
  const env: NodeJS.ProcessEnv = {};
  await useKeyOfFiles([path.join(root, "pair", "one", "s.sops.yaml")], { env, hint: "h" });
  expect(env.SOPS_AGE_KEY_FILE).toBe(key);
  // before, the last file's cluster silently won
  await expect(
    useKeyOfFiles([path.join(root, "pair", "one", "s.sops.yaml"), path.join(root, "pair", "two", "s.sops.yaml")], {
      env: {},
      hint: "one cluster at a time",
      cwd: root,
    }),
  ).rejects.toMatchObject({
    code: "E_USAGE",
    message: "the files belong to clusters with their own saved age keys: pair/one, pair/two",
  });
});
