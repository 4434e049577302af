import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { loadCluster } from "./load.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const valid = path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml");

describe("loadCluster", () => {
  it("loads cluster.yaml", async () => {
    const { cluster, file } = await loadCluster(valid);
    expect(cluster.name).toBe("lab");
    expect(file).toBe(valid);
  });

  it("loads a TypeScript definition through its default export", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.ts");
    const { cluster: yamlCluster } = await loadCluster(valid);
    const input = { ...yamlCluster, name: "from-ts" };
    writeFileSync(
      file,
      `const cluster: Record<string, unknown> = ${JSON.stringify(input)};\nexport default cluster;\n`,
    );
    const { cluster } = await loadCluster(file);
    expect(cluster.name).toBe("from-ts");
  });

  it("names the file and the path when the definition is invalid", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.yaml");
    writeFileSync(file, "name: Bad_Name\n");
    const error = await loadCluster(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("E_CONFIG_INVALID");
    expect((error as ConfigError).message).toContain(`${file}: name: must be a DNS-1123 label`);
    expect((error as ConfigError).message).toContain(`${file}: environment: is required — add environment`);
  });

  it("says a missing file does not exist", async () => {
    const error = (await loadCluster("/nonexistent/cluster.yaml").catch((caught: unknown) => caught)) as ConfigError;
    expect(error.code).toBe("E_CONFIG_READ");
    expect(error.message).toBe(
      "/nonexistent/cluster.yaml is not a valid cluster definition:\n  /nonexistent/cluster.yaml: does not exist — pass the path of a cluster.yaml or cluster.ts",
    );
  });

  it("refuses a TypeScript file without a default export", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.ts");
    writeFileSync(file, "export const cluster = {};\n");
    await expect(loadCluster(file)).rejects.toThrow("has no default export — export default defineCluster({ … })");
  });
});
