// Proof that a definition never runs code planted in jiti's shared file cache ($TMPDIR/jiti).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createJiti } from "jiti";
import { afterEach, describe, expect, it } from "vitest";
import { loadCluster } from "./load.js";

const valid = path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml");
const marker = "__kubeforgePlantedCacheRan";
const savedTmpdir = process.env.TMPDIR;

afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  delete (globalThis as Record<string, unknown>)[marker];
});

describe("loadCluster and jiti's file cache", () => {
  it("does not run a compiled module planted in $TMPDIR/jiti", async () => {
    const { cluster } = await loadCluster(valid);
    const definitions = mkdtempSync(path.join(tmpdir(), "kubeforge-def-"));
    const file = path.join(definitions, "cluster.ts");
    writeFileSync(
      file,
      `const cluster: Record<string, unknown> = ${JSON.stringify(cluster)};\nexport default cluster;\n`,
    );

    // The attacker compiles the same file with the same options into the shared cache folder, then
    // prepends a payload; jiti trusts the entry because its trailer holds the source's hash.
    const sharedTmp = mkdtempSync(path.join(tmpdir(), "kubeforge-tmp-"));
    const planted = path.join(sharedTmp, "jiti");
    mkdirSync(planted);
    const attacker = createJiti(pathToFileURL(file).href, {
      fsCache: planted,
      moduleCache: false,
      interopDefault: false,
    });
    await attacker.import(file);
    const entries = readdirSync(planted);
    expect(entries).toHaveLength(1);
    const entry = path.join(planted, entries[0] as string);
    writeFileSync(entry, `globalThis.${marker} = true;\n${readFileSync(entry, "utf8")}`);

    process.env.TMPDIR = sharedTmp;
    const loaded = await loadCluster(file);
    expect(loaded.cluster.name).toBe(cluster.name);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
    // Nothing new lands in the shared folder either.
    expect(readdirSync(planted)).toEqual(entries);
  });
});
