// Real SOPS (age) around generated machine configs: what decrypts is exactly what was rendered.
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import * as sops from "@kubeforge/sops";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { testBundle } from "../__fixtures__/bundle.js";
import { homelabClusterFile, repoRoot } from "../__fixtures__/paths.js";
import { renderMachineConfigs, stringifyMachineConfig } from "../config/render.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { parseBundle, stringifyBundle } from "../secrets/read-bundle.js";
import { createSopsSealer } from "./sops-sealer.js";

const keyFile = path.join(repoRoot, "demo-keys/age.agekey");
const identity = readFileSync(keyFile, "utf8")
  .split("\n")
  .find((line) => line.startsWith("AGE-SECRET-KEY-1")) as string;
const recipient = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";

let cluster: Cluster;
let bundle: SecretsBundle;
beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
});

const sealer = () => createSopsSealer({ sops, recipients: [recipient], identities: [identity] });

describe("SOPS-sealed Talos files", () => {
  it("round-trips every machine-config document and the bundle exactly, without churn", async () => {
    for (const minor of ["v1.13.9", "v1.14.0"]) {
      const configs = renderMachineConfigs({ ...cluster, talos: { ...cluster.talos, version: minor } }, bundle);
      const text = stringifyMachineConfig(configs[0] ?? { documents: [] });
      const sealed = await sealer().seal(text, { file: "node-1.sops.yaml", format: "yaml" });
      expect(sealed).not.toContain(bundle.certs.os.key);
      expect(sealed).not.toContain(bundle.trustdinfo.token);
      expect(sealer().isSealed(sealed, "yaml")).toBe(true);
      const opened = await sealer().open(sealed, { file: "node-1.sops.yaml", format: "yaml" });
      expect(parseAllDocuments(opened).map((document) => document.toJS())).toEqual(configs[0]?.documents);
      expect(sealed).toMatch(/^machine:\n {2}type: ENC\[/m);
      expect(await sealer().seal(text, { file: "node-1.sops.yaml", format: "yaml", previous: sealed })).toBe(sealed);
    }
    const bundleText = stringifyBundle(bundle);
    const sealedBundle = await sealer().seal(bundleText, { file: "talsecret.sops.yaml", format: "yaml" });
    expect(parseBundle(await sealer().open(sealedBundle, { file: "talsecret.sops.yaml", format: "yaml" }))).toEqual(
      bundle,
    );
  });

  it("is readable by the age CLI's key (SOPS_AGE_KEY_FILE) through the sops package's defaults", async () => {
    const sealed = await sealer().seal("a: b\n", { file: "x.sops.yaml", format: "yaml" });
    const fromEnv = await sops.decryptText(sealed, {
      format: "yaml",
      identities: await sops.loadAgeIdentities({ SOPS_AGE_KEY_FILE: keyFile }),
    });
    expect(fromEnv).toBe("a: b\n");
    // The recipient really is the demo key's public key.
    expect((await execa("age-keygen", ["-y", keyFile])).stdout).toBe(recipient);
  });

  it("reports a wrong key as a TalosError naming the file", async () => {
    const sealed = await sealer().seal("a: b\n", { file: "x.sops.yaml", format: "yaml" });
    const stranger = (await execa("age-keygen")).stdout
      .split("\n")
      .find((line) => line.startsWith("AGE-SECRET-KEY-1")) as string;
    const wrong = createSopsSealer({ sops, recipients: [recipient], identities: [stranger] });
    await expect(wrong.open(sealed, { file: "x.sops.yaml", format: "yaml" })).rejects.toThrow(
      /^x\.sops\.yaml: cannot be decrypted/,
    );
  });
});
