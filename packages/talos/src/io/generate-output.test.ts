import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import { validateConfigText } from "../schema/validate-config.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { stringifyBundle } from "../secrets/read-bundle.js";
import { createBundleFile, readBundle } from "./bundle-store.js";
import { generateTalosOutput } from "./generate-output.js";
import { type TalosLayout, talosLayout } from "./layout.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-output-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cluster: Cluster;
let bundle: SecretsBundle;
let layout: TalosLayout;
let directory: string;

beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
});

beforeEach(async () => {
  directory = await mkdtemp(path.join(scratch, "talos-output-"));
  layout = talosLayout(path.join(directory, "cluster.ts"));
});

async function rejection(promise: Promise<unknown>): Promise<TalosError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TalosError);
    return error as TalosError;
  }
  throw new Error("expected a rejection");
}

describe("without a bundle", () => {
  it("fails clearly and creates no bundle and no output", async () => {
    const error = await rejection(generateTalosOutput({ cluster, layout, sealer: createFakeSealer() }));
    expect(error.code).toBe("E_BUNDLE_MISSING");
    expect(error.message).toContain(`${layout.bundle}: does not exist`);
    expect(error.message).toContain("kubeforge-talos gen secrets");
    expect(await readdir(directory)).toEqual([]);
  });

  it("refuses a plaintext bundle and one it cannot decrypt", async () => {
    await createBundleFile({ file: layout.bundle, bundle, sealer: createFakeSealer() });
    const sealed = await readFile(layout.bundle, "utf8");
    await writeFile(layout.bundle, stringifyBundle(bundle));
    const plaintext = await rejection(readBundle({ file: layout.bundle, sealer: createFakeSealer() }));
    expect(plaintext.message).toMatch(/is not SOPS-encrypted/);
    // gen secrets refuses to write over an existing file, so the hint must say to move this one aside first.
    expect(plaintext.message).toContain("move it out of the repository");
    expect(plaintext.message).toMatch(/gen secrets --cluster \S+ --from <moved file>/);
    await writeFile(layout.bundle, sealed.replace(/^data: .*$/m, "data: !!garbled"));
    const error = await rejection(readBundle({ file: layout.bundle, sealer: createFakeSealer() }));
    expect(error.code).toBe("E_BUNDLE_DECRYPT");
    expect(error.message).toMatch(/cannot be decrypted: .*SOPS_AGE_KEY_FILE/);
  });
});

describe("createBundleFile", () => {
  it("writes the bundle encrypted and refuses to overwrite it", async () => {
    const sealer = createFakeSealer();
    await createBundleFile({ file: layout.bundle, bundle, sealer });
    const before = await readFile(layout.bundle, "utf8");
    expect(before).toMatch(/^sops:$/m);
    expect(before).not.toContain(bundle.certs.os.key);
    const error = await rejection(createBundleFile({ file: layout.bundle, bundle, sealer }));
    expect(error.code).toBe("E_BUNDLE_EXISTS");
    expect(error.message).toMatch(/already exists — kubeforge never overwrites a secrets bundle/);
    expect(await readFile(layout.bundle, "utf8")).toBe(before);
    expect(await readBundle({ file: layout.bundle, sealer })).toEqual(bundle);
  });
});

describe("generateTalosOutput", () => {
  it("writes encrypted, valid configs and a talosconfig, and nothing changes on a second run", async () => {
    const sealer = createFakeSealer();
    await createBundleFile({ file: layout.bundle, bundle, sealer });
    const first = await generateTalosOutput({ cluster, layout, sealer });
    expect(first.files.map((file) => path.basename(file.file))).toEqual([
      "node-1.sops.yaml",
      "node-2.sops.yaml",
      "node-3.sops.yaml",
      "talosconfig.sops.yaml",
    ]);
    expect(first.files.every((file) => file.changed)).toBe(true);
    for (const file of first.files.slice(0, 3)) {
      const sealed = await readFile(file.file, "utf8");
      expect(sealed).not.toContain("BEGIN");
      const text = await sealer.open(sealed, { file: file.file, format: "yaml" });
      expect(validateConfigText(text, { minor: 13, file: file.file })).toEqual([]);
    }
    const contents = await Promise.all(first.files.map((file) => readFile(file.file, "utf8")));
    const second = await generateTalosOutput({ cluster, layout, sealer });
    expect(second.files.some((file) => file.changed)).toBe(false);
    expect(second.talosconfig.reused).toBe(true);
    expect(await Promise.all(second.files.map((file) => readFile(file.file, "utf8")))).toEqual(contents);
  });

  it("writes decrypted copies with mode 0600 only when asked", async () => {
    const sealer = createFakeSealer();
    await createBundleFile({ file: layout.bundle, bundle, sealer });
    await generateTalosOutput({ cluster, layout, sealer });
    await expect(stat(layout.plaintext)).rejects.toThrow();
    await generateTalosOutput({ cluster, layout, sealer, plaintext: true });
    expect((await readdir(layout.plaintext)).sort()).toEqual([
      ".gitignore",
      "node-1.yaml",
      "node-2.yaml",
      "node-3.yaml",
      "talosconfig",
    ]);
    expect((await stat(path.join(layout.plaintext, "node-1.yaml"))).mode & 0o777).toBe(0o600);
  });

  it("stops before writing anything when a patch makes a config invalid", async () => {
    const sealer = createFakeSealer();
    await createBundleFile({ file: layout.bundle, bundle, sealer });
    const patched = { ...cluster, talos: { ...cluster.talos, patches: [{ machine: { network: { hostname: "x" } } }] } };
    const error = await rejection(generateTalosOutput({ cluster: patched, layout, sealer }));
    expect(error.code).toBe("E_SCHEMA_INVALID");
    expect(error.message).toContain(
      "node-1 (generated): documents[0](v1alpha1).machine.network: is not allowed by the schema",
    );
    await expect(stat(layout.generated)).rejects.toThrow();
  });
});
