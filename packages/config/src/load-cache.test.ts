// Proof that a definition never runs code planted in a compile cache someone else can write: jiti's
// shared $TMPDIR/jiti, or a kubeforge cache folder that is a symlink or writable by others.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createJiti } from "jiti";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCluster } from "./load.js";
import { privateCacheDir } from "./private-cache.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-load-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const valid = path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml");
const marker = "__kubeforgePlantedCacheRan";
const saved = { TMPDIR: process.env.TMPDIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };

function restore(name: keyof typeof saved) {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
}

beforeEach(() => {
  // Each test gets its own cache home, so nothing lands in the runner's ~/.cache.
  process.env.XDG_CACHE_HOME = mkdtempSync(path.join(scratch, "kubeforge-xdg-"));
});

afterEach(() => {
  restore("TMPDIR");
  restore("XDG_CACHE_HOME");
  delete (globalThis as Record<string, unknown>)[marker];
});

async function writeDefinition(): Promise<{ file: string; name: string }> {
  const { cluster } = await loadCluster(valid);
  const definitions = mkdtempSync(path.join(scratch, "kubeforge-def-"));
  const file = path.join(definitions, "cluster.ts");
  writeFileSync(
    file,
    `const cluster: Record<string, unknown> = ${JSON.stringify(cluster)};\nexport default cluster;\n`,
  );
  return { file, name: cluster.name };
}

/**
 * The attacker compiles the same file with the same options into `folder`, then prepends a payload;
 * jiti trusts the entry because its trailer holds the source's hash.
 */
async function plant(folder: string, file: string): Promise<string[]> {
  const attacker = createJiti(pathToFileURL(file).href, { fsCache: folder, moduleCache: false, interopDefault: false });
  await attacker.import(file);
  const entries = readdirSync(folder);
  expect(entries).toHaveLength(1);
  const entry = path.join(folder, entries[0] as string);
  writeFileSync(entry, `globalThis.${marker} = true;\n${readFileSync(entry, "utf8")}`);
  return entries;
}

const ran = () => (globalThis as Record<string, unknown>)[marker];

describe("loadCluster and compile caches", () => {
  it("does not run a compiled module planted in $TMPDIR/jiti", async () => {
    const { file, name } = await writeDefinition();
    const sharedTmp = mkdtempSync(path.join(scratch, "kubeforge-tmp-"));
    const planted = path.join(sharedTmp, "jiti");
    mkdirSync(planted);
    const entries = await plant(planted, file);
    process.env.TMPDIR = sharedTmp;
    const loaded = await loadCluster(file);
    expect(loaded.cluster.name).toBe(name);
    expect(ran()).toBeUndefined();
    expect(readdirSync(planted)).toEqual(entries);
  });

  it("caches in a private 0700 folder under XDG_CACHE_HOME", async () => {
    const { file } = await writeDefinition();
    await loadCluster(file);
    const folder = path.join(process.env.XDG_CACHE_HOME as string, "kubeforge", "jiti");
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readdirSync(folder).length).toBeGreaterThan(0);
    expect(await privateCacheDir()).toBe(folder);
  });

  it("does not use a cache folder others can write (it may already hold planted entries)", async () => {
    const { file } = await writeDefinition();
    const folder = path.join(process.env.XDG_CACHE_HOME as string, "kubeforge", "jiti");
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o777);
    await plant(folder, file);
    expect(await privateCacheDir()).toBeUndefined();
    await loadCluster(file);
    expect(ran()).toBeUndefined();
  });

  it("does not use a cache folder whose parent others can write", async () => {
    const { file } = await writeDefinition();
    const parent = path.join(process.env.XDG_CACHE_HOME as string, "kubeforge");
    mkdirSync(path.join(parent, "jiti"), { recursive: true, mode: 0o700 });
    chmodSync(path.join(parent, "jiti"), 0o700);
    chmodSync(parent, 0o777);
    await plant(path.join(parent, "jiti"), file);
    expect(await privateCacheDir()).toBeUndefined();
    await loadCluster(file);
    expect(ran()).toBeUndefined();
  });

  it("does not use a symlinked cache folder", async () => {
    const { file } = await writeDefinition();
    const elsewhere = mkdtempSync(path.join(scratch, "kubeforge-elsewhere-"));
    chmodSync(elsewhere, 0o700);
    const parent = path.join(process.env.XDG_CACHE_HOME as string, "kubeforge");
    mkdirSync(parent, { mode: 0o700 });
    chmodSync(parent, 0o700);
    symlinkSync(elsewhere, path.join(parent, "jiti"));
    await plant(elsewhere, file);
    expect(await privateCacheDir()).toBeUndefined();
    await loadCluster(file);
    expect(ran()).toBeUndefined();
  });
});
