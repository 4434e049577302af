import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import type { SecretSealer } from "../store/sealer.js";
import { createBundleFile } from "./bundle-store.js";
import { checkTalosOutput } from "./check-output.js";
import { firstDocumentDifference } from "./document-diff.js";
import { generateTalosOutput } from "./generate-output.js";
import { type TalosLayout, talosLayout } from "./layout.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cluster: Cluster;
let bundle: SecretsBundle;
let layout: TalosLayout;

beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
}, 120_000);

beforeEach(async () => {
  const directory = await mkdtemp(path.join(scratch, "talos-check-"));
  layout = talosLayout(path.join(directory, "cluster.ts"));
});

async function built(sealer: SecretSealer = createFakeSealer()) {
  await createBundleFile({ file: layout.bundle, bundle, sealer });
  await generateTalosOutput({ cluster, layout, sealer });
  return sealer;
}

function withDisk(disk: string): Cluster {
  return { ...cluster, talos: { ...cluster.talos, installDisk: disk } } as Cluster;
}

describe("checkTalosOutput", () => {
  it("passes when talos/generated matches a fresh render (the ciphertext differs every time)", async () => {
    const sealer = await built();
    const result = await checkTalosOutput({ cluster, layout, sealer });
    expect(result).toMatchObject({ checked: true, stale: [] });
    expect(result.checked && result.files.map((file) => path.basename(file))).toEqual([
      "node-1.sops.yaml",
      "node-2.sops.yaml",
      "node-3.sops.yaml",
      "talosconfig.sops.yaml",
    ]);
  });

  it("names each stale file and the first differing path after the definition changed (failed before the fix: no check existed)", async () => {
    const sealer = await built();
    await generateTalosOutput({ cluster: withDisk("/dev/sda"), layout, sealer });
    const result = await checkTalosOutput({ cluster: withDisk("/dev/nvme0n1"), layout, sealer });
    if (!result.checked) throw new Error("expected a check");
    expect(result.stale.map((issue) => path.basename(issue.file ?? ""))).toEqual([
      "node-1.sops.yaml",
      "node-2.sops.yaml",
      "node-3.sops.yaml",
    ]);
    expect(result.stale[0]).toMatchObject({
      path: "machine.install.disk",
      message: "/dev/sda in the committed file, /dev/nvme0n1 from the cluster definition — run `kubeforge build`",
    });
  });

  it("writes nothing", async () => {
    const sealer = await built();
    const before = await readFile(path.join(layout.generated, "node-1.sops.yaml"), "utf8");
    await checkTalosOutput({ cluster: withDisk("/dev/sdb"), layout, sealer });
    expect(await readFile(path.join(layout.generated, "node-1.sops.yaml"), "utf8")).toBe(before);
  });

  it("reports a missing, unencrypted or undecryptable generated file", async () => {
    const sealer = await built();
    await rm(path.join(layout.generated, "node-2.sops.yaml"));
    await writeFile(path.join(layout.generated, "node-3.sops.yaml"), "machine: {}\n");
    await writeFile(path.join(layout.generated, "talosconfig.sops.yaml"), "data: !!garbled\nsops:\n    x: 1\n");
    const result = await checkTalosOutput({ cluster, layout, sealer, fix: "kubeforge build homelab" });
    if (!result.checked) throw new Error("expected a check");
    expect(result.stale.map((issue) => `${path.basename(issue.file ?? "")}: ${issue.message}`)).toEqual([
      "node-2.sops.yaml: is missing — run `kubeforge build homelab`",
      "node-3.sops.yaml: is not SOPS-encrypted",
      expect.stringMatching(/^talosconfig\.sops\.yaml: cannot be compared: /),
    ]);
  });

  it("says it could not check when no key decrypts the bundle, and never passes silently", async () => {
    await built();
    const keyless: SecretSealer = {
      ...createFakeSealer(),
      open: async (_text, { file }) => {
        throw new TalosError("E_SOPS_FAILED", [{ file, path: "", message: "no age identity can decrypt it" }]);
      },
    };
    const result = await checkTalosOutput({ cluster, layout, sealer: keyless });
    expect(result.checked).toBe(false);
    expect(!result.checked && result.reason).toMatch(/cannot be decrypted .*no age identity.*SOPS_AGE_KEY_FILE/);
  });

  it("never puts key material in a finding", async () => {
    const sealer = await built();
    const other = { ...bundle, trustdinfo: { token: "abcdef.0123456789abcdef" } } as SecretsBundle;
    const { renderMachineConfigs, stringifyMachineConfig } = await import("../config/render.js");
    const fresh = stringifyMachineConfig(renderMachineConfigs(cluster, other)[0]!);
    await writeFile(
      path.join(layout.generated, "node-1.sops.yaml"),
      await sealer.seal(fresh, { file: "node-1.sops.yaml", format: "yaml" }),
    );
    const result = await checkTalosOutput({ cluster, layout, sealer });
    if (!result.checked) throw new Error("expected a check");
    expect(result.stale).toHaveLength(1);
    expect(result.stale[0]?.path).toBe("machine.token");
    const text = JSON.stringify(result);
    expect(text).not.toContain("abcdef.0123456789abcdef");
    expect(text).not.toContain(bundle.trustdinfo.token);
    expect(result.stale[0]?.message).toContain("(a secret or certificate value, not shown)");
  });
});

describe("firstDocumentDifference", () => {
  it("ignores key order, names list indexes and later documents by kind", () => {
    expect(firstDocumentDifference([{ a: 1, b: 2 }], [{ b: 2, a: 1 }])).toBeUndefined();
    expect(firstDocumentDifference([{ a: { l: [1, 2] } }], [{ a: { l: [1, 3] } }])).toEqual({
      path: "a.l[1]",
      committed: "2",
      fresh: "3",
    });
    expect(
      firstDocumentDifference(
        [{ machine: {} }, { kind: "HostnameConfig", hostname: "a" }],
        [{ machine: {} }, { kind: "HostnameConfig", hostname: "b" }],
      ),
    ).toEqual({ path: "HostnameConfig.hostname", committed: "a", fresh: "b" });
    expect(firstDocumentDifference([{ machine: {} }], [{ machine: {} }, { kind: "X" }])).toMatchObject({
      path: "X",
      committed: "absent",
    });
    expect(firstDocumentDifference([{ "node.io/x": "1" }], [{ "node.io/x": "2" }])?.path).toBe('"node.io/x"');
  });
});
