// The committed example clusters: their encrypted configs decrypt with the demo key, validate against the
// official schema of their Talos version, and are exactly what the model and bundle produce today.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadCluster } from "@kubeforge/config";
import * as sops from "@kubeforge/sops";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { repoRoot } from "./__fixtures__/paths.js";
import { talosMinor } from "./config/contract.js";
import { renderMachineConfigs } from "./config/render.js";
import { readBundle } from "./io/bundle-store.js";
import { machineConfigFile, talosconfigFile, talosLayout } from "./io/layout.js";
import { validateConfigText } from "./schema/validate-config.js";
import { createSopsSealer } from "./store/sops-sealer.js";
import type { Talosconfig } from "./talosconfig.js";

const identities = sops.loadAgeIdentities({ SOPS_AGE_KEY_FILE: path.join(repoRoot, "demo-keys/age.agekey") });

describe.each(["homelab", "staging"])("clusters/%s/talos", (name) => {
  it("holds three configs that validate and match the model and bundle, and a talosconfig", async () => {
    const clusterFile = path.join(repoRoot, "clusters", name, "cluster.ts");
    const { cluster } = await loadCluster(clusterFile);
    const layout = talosLayout(clusterFile);
    const sealer = createSopsSealer({ sops, recipients: cluster.sops.ageRecipients, identities: await identities });
    const bundle = await readBundle({ file: layout.bundle, sealer });
    const expected = renderMachineConfigs(cluster, bundle);
    expect(expected).toHaveLength(3);
    for (const config of expected) {
      const file = machineConfigFile(layout.generated, config.hostname);
      const text = await sealer.open(await readFile(file, "utf8"), { file, format: "yaml" });
      expect(validateConfigText(text, { minor: talosMinor(cluster.talos.version), file })).toEqual([]);
      const documents = parseAllDocuments(text).map((document) => document.toJS());
      expect(documents, `${file} is stale: run pnpm turbo build`).toEqual(config.documents);
    }
    const talosconfigPath = talosconfigFile(layout.generated);
    const talosconfig = parse(
      await sealer.open(await readFile(talosconfigPath, "utf8"), { file: talosconfigPath, format: "yaml" }),
    ) as Talosconfig;
    expect(talosconfig.context).toBe(name);
    expect(talosconfig.contexts[name]?.endpoints).toEqual(cluster.nodes.map((node) => node.address));
    expect(talosconfig.contexts[name]?.ca).toBe(bundle.certs.os.crt);
  });
});
