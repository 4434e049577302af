// `kubeforge build` is all-or-nothing: a failing step (no age key for the Talos bundle) or a SIGINT before the
// commit leaves flux/, bootstrap/ and talos/generated/ byte-identical. Scratch copy of homelab inside apps/cli.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP as app, BIN as bin, HANG as hang, interruptAtMarker, REPO as repo } from "./harness.js";

let work: string;
let home: string;
let dir: string;

function env(extra: Record<string, string> = {}) {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, NODE_PATH: _p, ...rest } = process.env;
  return { ...rest, HOME: home, ...extra };
}

/** Every file under the generated folders, with its bytes. */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ["flux", "bootstrap", "talos"]) {
    for (const entry of readdirSync(path.join(dir, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, file), readFileSync(file, "utf8"));
    }
  }
  return files;
}

const stagingFolders = () => {
  const tmp = path.join(dir, ".kubeforge", "tmp");
  return existsSync(tmp) ? readdirSync(tmp) : [];
};

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-atomic-"));
  home = mkdtempSync(path.join(tmpdir(), "kubeforge-home-"));
  dir = path.join(work, "lab");
  for (const entry of ["cluster.ts", "flux", "bootstrap", "talos", "secrets"])
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(dir, entry), { recursive: true });
  // A change to both halves: Flux's branch (flux/) and a nameserver (every machine config).
  const definition = path.join(dir, "cluster.ts");
  const text = readFileSync(definition, "utf8");
  const changed = text.replace('branch: "main"', 'branch: "prod"').replace('"1.1.1.1"', '"9.9.9.9"');
  expect(changed).not.toBe(text);
  writeFileSync(definition, changed);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

it("changes nothing when the Talos bundle cannot be decrypted (no age key), though flux/ would change", () => {
  const before = snapshot();
  const result = spawnSync(process.execPath, [bin, "build", "lab"], { cwd: work, encoding: "utf8", env: env() });
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/lab\/talos\/talsecret\.sops\.yaml: cannot be decrypted/);
  expect(result.stderr).not.toContain(".kubeforge/tmp");
  // Before the fix flux/flux-system/gotk-sync.yaml already said `branch: prod` here.
  expect(snapshot()).toEqual(before);
  expect(stagingFolders()).toEqual([]);
});

it("leaves the previous files and no staging folder when SIGINT arrives while the bundle is being opened", async () => {
  const before = snapshot();
  const marker = path.join(work, "key-cmd-reached");
  // The key command runs when the bundle is opened, after flux/ was rendered (into the staging folder).
  const { code, stderr } = await interruptAtMarker(["build", "lab"], {
    cwd: work,
    env: env({ SOPS_AGE_KEY_CMD: `${process.execPath} ${hang} ${marker}` }),
    marker,
    atMarker: () => {
      const [staging] = stagingFolders();
      expect(staging).toMatch(/^build-\d+-[0-9a-f]{8}$/);
      const staged = path.join(dir, ".kubeforge", "tmp", staging!, "flux", "flux-system", "gotk-sync.yaml");
      expect(readFileSync(staged, "utf8")).toContain("branch: prod");
    },
  });
  expect(code).toBe(130);
  expect(stderr).toContain("SIGINT: kubeforge build stopped before writing; homelab's files are unchanged");
  // Before the fix flux/ was already written at this point and talos/generated/ was not.
  expect(snapshot()).toEqual(before);
  expect(existsSync(path.join(dir, ".kubeforge"))).toBe(false);
});

it("writes both halves once a key is available, and a re-run changes nothing", () => {
  const key = { SOPS_AGE_KEY_FILE: path.join(repo, "demo-keys", "age.agekey") };
  const before = snapshot();
  const built = spawnSync(process.execPath, [bin, "build", "lab"], { cwd: work, encoding: "utf8", env: env(key) });
  expect(built.status, built.stderr).toBe(0);
  const after = snapshot();
  expect(after.get("flux/flux-system/gotk-sync.yaml")).toContain("branch: prod");
  for (const node of ["node-1", "node-2", "node-3"])
    expect(after.get(`talos/generated/${node}.sops.yaml`)).not.toBe(before.get(`talos/generated/${node}.sops.yaml`));
  expect(stagingFolders()).toEqual([]);
  const check = spawnSync(process.execPath, [bin, "build", "lab", "--check"], {
    cwd: work,
    encoding: "utf8",
    env: env(key),
  });
  expect(check.status, check.stderr).toBe(0);
});
