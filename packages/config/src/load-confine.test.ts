// A definition that resolves outside its repository (a planted symlink) is refused unless asked for.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { loadCluster } from "./load.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-confine-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const valid = path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml");

async function setUp() {
  const { cluster } = await loadCluster(valid);
  const base = mkdtempSync(path.join(scratch, "kubeforge-confine-"));
  const repo = path.join(base, "repo");
  const outside = path.join(base, "outside");
  mkdirSync(path.join(repo, ".git"), { recursive: true });
  mkdirSync(path.join(repo, "clusters"), { recursive: true });
  mkdirSync(outside);
  const source = `const cluster: Record<string, unknown> = ${JSON.stringify(cluster)};\nexport default cluster;\n`;
  writeFileSync(path.join(outside, "cluster.ts"), source);
  return { repo, outside, source };
}

describe("loadCluster confines definitions to their repository", () => {
  it("loads a definition inside the repository", async () => {
    const { repo, source } = await setUp();
    mkdirSync(path.join(repo, "clusters", "lab"));
    writeFileSync(path.join(repo, "clusters", "lab", "cluster.ts"), source);
    const { cluster } = await loadCluster(path.join(repo, "clusters", "lab", "cluster.ts"));
    expect(cluster.name).toBe("lab");
  });

  it("refuses a cluster.ts symlinked outside the repository", async () => {
    const { repo, outside } = await setUp();
    mkdirSync(path.join(repo, "clusters", "lab"));
    const file = path.join(repo, "clusters", "lab", "cluster.ts");
    symlinkSync(path.join(outside, "cluster.ts"), file);
    const error = (await loadCluster(file).catch((caught: unknown) => caught)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe("E_CONFIG_READ");
    expect(error.message).toContain(`resolves to ${path.join(outside, "cluster.ts")}, outside the repository`);
  });

  it("refuses a cluster folder symlinked outside the repository", async () => {
    const { repo, outside } = await setUp();
    symlinkSync(outside, path.join(repo, "clusters", "lab"));
    await expect(loadCluster(path.join(repo, "clusters", "lab", "cluster.ts"))).rejects.toThrow(
      "outside the repository",
    );
  });

  it("loads it when the caller allows a definition outside the repository", async () => {
    const { repo, outside } = await setUp();
    symlinkSync(outside, path.join(repo, "clusters", "lab"));
    const { cluster } = await loadCluster(path.join(repo, "clusters", "lab", "cluster.ts"), {
      allowOutsideRepo: true,
    });
    expect(cluster.name).toBe("lab");
  });

  it("checks against an explicit root", async () => {
    const { repo, outside } = await setUp();
    await expect(loadCluster(path.join(outside, "cluster.ts"), { root: repo })).rejects.toThrow(
      "outside the repository",
    );
  });

  it("loads a path named outside any repository", async () => {
    const { outside } = await setUp();
    const { cluster } = await loadCluster(path.join(outside, "cluster.ts"));
    expect(cluster.name).toBe("lab");
  });
});
