import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    expect(error.message).toMatch(
      /^\/nonexistent\/cluster.yaml is not a valid cluster definition:\n {2}\/nonexistent\/cluster.yaml: does not exist — pass a cluster.ts\/cluster.yaml\/cluster.json, a folder holding one/,
    );
  });

  it("says a missing cluster.ts does not exist instead of jiti's 'Cannot find module' (was an internal error)", async () => {
    const file = path.join(scratch, "missing", "cluster.ts");
    const error = await loadCluster(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("E_CONFIG_READ");
    expect((error as ConfigError).message).toContain(`${file}: does not exist — pass a cluster.ts`);
    expect((error as ConfigError).message).not.toContain("Cannot find module");
  });

  it("loads the definition inside a folder, as kubeforge does (was EISDIR)", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    writeFileSync(path.join(dir, "cluster.yaml"), readFileSync(valid, "utf8"));
    const { cluster, file } = await loadCluster(dir);
    expect(cluster.name).toBe("lab");
    expect(file).toBe(path.join(dir, "cluster.yaml"));
    const empty = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    await expect(loadCluster(empty)).rejects.toMatchObject({
      code: "E_CONFIG_READ",
      message: expect.stringContaining("has no cluster.ts, cluster.yaml, cluster.yml, cluster.json"),
    });
  });

  it("reports a TypeScript syntax error with its line:column, not jiti's ParseError (was an internal error)", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.ts");
    writeFileSync(file, 'export default {\n  name: "lab",\n  api: { vip: "10.0.0.10" ],\n};\n');
    const error = await loadCluster(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("E_CONFIG_PARSE");
    expect((error as ConfigError).issues).toEqual([
      {
        path: "line 3:27",
        message: 'syntax error: Unexpected token, expected ","',
        hint: expect.stringContaining("fix the TypeScript syntax"),
      },
    ]);
    expect((error as ConfigError).message).not.toContain("ParseError");
    // In a module the definition imports: that file and its line:column.
    const nodes = path.join(dir, "nodes.ts");
    writeFileSync(nodes, "export const nodes = [\n  { name: 1 ],\n];\n");
    writeFileSync(file, 'import { nodes } from "./nodes";\nexport default { nodes };\n');
    await expect(loadCluster(file)).rejects.toMatchObject({
      code: "E_CONFIG_PARSE",
      issues: [{ path: "", message: `syntax error in ${nodes} at line 2:13: Unexpected token, expected ","` }],
    });
  });

  it("names a missing import and an error the definition throws, with their fix", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const importing = path.join(dir, "cluster.ts");
    writeFileSync(importing, 'import { x } from "kubeforge-no-such-package";\nexport default x;\n');
    await expect(loadCluster(importing)).rejects.toMatchObject({
      code: "E_CONFIG_READ",
      issues: [
        expect.objectContaining({
          message: "cannot be loaded: Cannot find module 'kubeforge-no-such-package'",
          hint: expect.stringContaining("pnpm install"),
        }),
      ],
    });
    const throwing = path.join(dir, "cluster.js");
    writeFileSync(throwing, 'const a = 1;\nthrow new TypeError("boom");\n');
    const error = (await loadCluster(throwing).catch((caught: unknown) => caught)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues[0]).toMatchObject({ path: "line 2:7", message: "throws while loading: TypeError: boom" });
  });

  it("reports a cluster.json syntax error with its line:column, not a SyntaxError stack (was an internal error)", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.json");
    writeFileSync(file, '{\n  "name": "lab",\n  "environment": "staging",\n}\n');
    const error = await loadCluster(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("E_CONFIG_PARSE");
    expect((error as ConfigError).issues[0]).toMatchObject({
      path: "line 4:1",
      message: expect.stringMatching(/^invalid JSON: /),
      hint: expect.stringContaining("trailing commas"),
    });
    expect((error as ConfigError).message).not.toMatch(/position|at JSON\.parse/);
    writeFileSync(file, '{"name": "lab"');
    await expect(loadCluster(file)).rejects.toMatchObject({ code: "E_CONFIG_PARSE", issues: [{ path: "line 1:15" }] });
  });

  it("refuses a TypeScript file without a default export", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-config-"));
    const file = path.join(dir, "cluster.ts");
    writeFileSync(file, "export const cluster = {};\n");
    await expect(loadCluster(file)).rejects.toThrow("has no default export — export default defineCluster({ … })");
  });
});
