import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { generateBundle } from "../secrets/generate-bundle.js";
import { createBundleFile } from "./bundle-store.js";
import { generateTalosOutput } from "./generate-output.js";
import { talosLayout } from "./layout.js";
import { casInConfig, listGeneratedFiles } from "./pki-guard.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-pki-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cluster: Cluster;
let bundle: SecretsBundle;
let other: SecretsBundle;

beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  [bundle, other] = await Promise.all([testBundle(), generateBundle({ talosVersion: "v1.13.9" })]);
}, 120_000);

async function snapshot(directory: string): Promise<Record<string, string>> {
  const files = (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  return Object.fromEntries(
    await Promise.all(
      files.map(async (entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return [path.relative(directory, file), await readFile(file, "utf8")] as const;
      }),
    ),
  );
}

describe("gen config against configs built from other CAs", () => {
  for (const version of ["v1.13.9", "v1.14.0"]) {
    it(`refuses with E_PKI_MISMATCH and changes no file (${version})`, async () => {
      const directory = await mkdtemp(path.join(scratch, "talos-pki-"));
      const layout = talosLayout(path.join(directory, "cluster.ts"));
      const sealer = createFakeSealer();
      const model = { ...cluster, talos: { ...cluster.talos, version } };
      await createBundleFile({ file: layout.bundle, bundle, sealer });
      await generateTalosOutput({ cluster: model, layout, sealer });
      // The bundle is lost and a new one minted: the scenario that locks a running cluster out.
      await rm(layout.bundle);
      await createBundleFile({ file: layout.bundle, bundle: other, sealer });
      const before = await snapshot(directory);
      const error = await generateTalosOutput({ cluster: model, layout, sealer, plaintext: true }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TalosError);
      expect((error as TalosError).code).toBe("E_PKI_MISMATCH");
      expect((error as Error).message).toMatch(/node-1\.sops\.yaml: machine\.ca: its os CA differs/);
      expect((error as Error).message).toMatch(/talosconfig\.sops\.yaml: contexts\.ca: its os CA differs/);
      expect((error as Error).message).toContain("no file was changed");
      expect(await snapshot(directory)).toEqual(before);
      // With the original bundle back, generation goes on; a deliberate re-key passes with rekey.
      await generateTalosOutput({ cluster: model, layout, sealer, rekey: true });
      const cas = casInConfig(
        await sealer.open(await readFile(path.join(layout.generated, "node-1.sops.yaml"), "utf8"), {
          file: "",
          format: "yaml",
        }),
      );
      expect(Object.keys(cas).sort()).toEqual(["etcd", "k8s", "os"]);
    });
  }

  it("refuses when an existing config cannot be decrypted to compare", async () => {
    const directory = await mkdtemp(path.join(scratch, "talos-pki-"));
    const layout = talosLayout(path.join(directory, "cluster.ts"));
    const sealer = createFakeSealer();
    await createBundleFile({ file: layout.bundle, bundle, sealer });
    await generateTalosOutput({ cluster, layout, sealer });
    const file = path.join(layout.generated, "node-2.sops.yaml");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, "data: !!garbled\nsops:\n    x: 1\n");
    const error = await generateTalosOutput({ cluster, layout, sealer }).catch((caught: unknown) => caught);
    expect((error as TalosError).code).toBe("E_PKI_MISMATCH");
    expect((error as Error).message).toMatch(/node-2\.sops\.yaml: cannot be read to compare its CAs/);
    expect(await readFile(file, "utf8")).toBe("data: !!garbled\nsops:\n    x: 1\n");
  });

  it("lists only the encrypted outputs", async () => {
    const directory = await mkdtemp(path.join(scratch, "talos-pki-"));
    expect(await listGeneratedFiles(talosLayout(path.join(directory, "cluster.ts")))).toEqual([]);
  });
});
