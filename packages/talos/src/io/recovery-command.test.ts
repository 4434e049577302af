// The `gen secrets` recoveries that hints print must run as printed from where the user is: `--cluster` names the
// cluster folder (kubeforge-talos alone finds only ./cluster.ts) and every path resolves from the current folder.
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadCluster } from "@kubeforge/config";
import { afterAll, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { genSecrets } from "../commands/gen-secrets.js";
import { TalosError } from "../errors.js";
import { stringifyBundle } from "../secrets/read-bundle.js";
import { readBundle } from "./bundle-store.js";
import { talosLayout } from "./layout.js";
import { compareCas } from "./pki-guard.js";
import { clusterArgOf, recoverBundleCommand } from "./recovery-command.js";

const scratch = mkdtempSync(path.join(tmpdir(), "talos-recovery-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const clusterDir = path.join(scratch, "clusters", "mine");
const layout = talosLayout(path.join(clusterDir, "cluster.ts"));

/** The `kubeforge-talos gen secrets …` command in `text`, its `--cluster` and `--from` resolved from the cwd. */
function recovery(text: string): { cluster: string; from: string } {
  const command = /`kubeforge-talos gen secrets (--cluster \S+ --from [^`]+)`/.exec(text)?.[1];
  expect(command, text).toBeDefined();
  const [, cluster, , from] = command!.split(" ");
  return { cluster: path.resolve(cluster!), from: from!.startsWith("<") ? from! : path.resolve(from!) };
}

it("names the cluster folder and the file as seen from the current folder", () => {
  expect(clusterArgOf(layout.bundle, clusterDir)).toBe(".");
  expect(clusterArgOf(layout.bundle, scratch)).toBe(path.join("clusters", "mine"));
  expect(recoverBundleCommand(layout.bundle, path.join(layout.generated, "cp-1.sops.yaml"), clusterDir)).toBe(
    "kubeforge-talos gen secrets --cluster . --from talos/generated/cp-1.sops.yaml",
  );
  expect(recoverBundleCommand(layout.bundle, path.join(layout.generated, "cp-1.sops.yaml"), scratch)).toBe(
    "kubeforge-talos gen secrets --cluster clusters/mine --from clusters/mine/talos/generated/cp-1.sops.yaml",
  );
  // a placeholder the user fills in stays as given
  expect(recoverBundleCommand(layout.bundle, "<moved file>", scratch)).toBe(
    "kubeforge-talos gen secrets --cluster clusters/mine --from <moved file>",
  );
});

async function readError(text: string | undefined): Promise<TalosError> {
  await mkdir(path.dirname(layout.bundle), { recursive: true });
  if (text === undefined) rmSync(layout.bundle, { force: true });
  else await writeFile(layout.bundle, text);
  const error = await readBundle({ file: layout.bundle, sealer: createFakeSealer() }).catch((caught) => caught);
  expect(error).toBeInstanceOf(TalosError);
  return error as TalosError;
}

it("a missing bundle: import it with --cluster", async () => {
  const error = await readError(undefined);
  expect(error.message).toContain(`\`kubeforge-talos gen secrets --cluster ${path.relative(".", clusterDir)}\` once`);
  expect(recovery(error.message).cluster).toBe(clusterDir);
  expect(error.message).toContain("--from secrets.yaml");
});

it("a damaged bundle: recover it from a generated control-plane config of this cluster", async () => {
  const error = await readError("cluster:\n    id: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\n");
  expect(error.code).toBe("E_BUNDLE_DECRYPT");
  expect(recovery(error.message)).toEqual({
    cluster: clusterDir,
    from: path.join(layout.generated, "<control-plane>.sops.yaml"),
  });
  expect(error.message).toContain(`git checkout -- ${path.relative(".", layout.bundle)}`);
});

it("a plaintext bundle: store the moved file encrypted again, for this cluster", async () => {
  const error = await readError(stringifyBundle(await testBundle()));
  expect(error.message).toMatch(/is not SOPS-encrypted/);
  expect(recovery(error.message)).toEqual({ cluster: clusterDir, from: "<moved" });
  expect(error.message).toContain("--from <moved file>");
});

it("configs built from other CAs: recover the bundle from a generated control-plane config", async () => {
  const bundle = await testBundle();
  const other = { ...bundle, certs: { ...bundle.certs, os: { ...bundle.certs.os, crt: "b3RoZXI=" } } };
  const config = `version: v1alpha1\nmachine:\n  ca:\n    crt: ${bundle.certs.os.crt}\n`;
  const [issue] = compareCas(config, other, path.join(layout.generated, "cp-1.sops.yaml"));
  expect(issue?.message).toContain("os CA differs");
  expect(recovery(issue!.hint!)).toEqual({
    cluster: clusterDir,
    from: path.join(layout.generated, "<control-plane>.sops.yaml"),
  });
});

it("gen secrets while configs exist: the recovery names the cluster", async () => {
  const { cluster } = await loadCluster(homelabClusterFile);
  const dir = path.join(scratch, "clusters", "homelab");
  await mkdir(path.join(dir, "talos", "generated"), { recursive: true });
  await writeFile(path.join(dir, "cluster.json"), JSON.stringify(cluster));
  await writeFile(path.join(dir, "talos", "generated", "node-1.sops.yaml"), "data: ENC[x]\nsops: {}\n");
  const error = await genSecrets({ cluster: path.join(dir, "cluster.json") }, { out: () => {}, err: () => {} }).catch(
    (caught: unknown) => caught,
  );
  expect((error as TalosError).code).toBe("E_GENERATED_EXISTS");
  expect(recovery((error as TalosError).message)).toEqual({
    cluster: dir,
    from: path.join(dir, "talos", "generated", "<control-plane>.sops.yaml"),
  });
});
