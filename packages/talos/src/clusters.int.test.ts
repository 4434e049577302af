// The committed example clusters: their encrypted configs decrypt with the demo key, validate against the
// official schema of their Talos version, and are exactly what the model and bundle produce today.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadCluster, nodeSchematic } from "@kubeforge/config";
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
      // Links by hardware: the uplink is a MAC-selected alias; no kernel name such as eth0 appears anywhere.
      const node = cluster.nodes.find((candidate) => candidate.hostname === config.hostname);
      const kinds = documents.map((document) => `${document.kind}/${document.name ?? ""}`);
      expect(kinds).toContain("LinkAliasConfig/uplink");
      expect(text).toContain(`mac(link.permanent_addr) == "${node?.mac}"`);
      expect(text).not.toMatch(/\beth\d+\b/);
      // Two data disks per node as user volumes, and the installer of the schematic with extensions.
      expect(kinds.filter((kind) => kind.startsWith("UserVolumeConfig/"))).toHaveLength(2);
      expect(text).toContain(`factory.talos.dev/installer/${nodeSchematic(cluster, node).id}:${cluster.talos.version}`);
    }
    const kubeVip = path.join(repoRoot, "clusters", name, "flux/infrastructure/kube-vip.yaml");
    if (cluster.api.provider === "kube-vip") expect(await readFile(kubeVip, "utf8")).not.toMatch(/eth\d/);
    const talosconfigPath = talosconfigFile(layout.generated);
    const talosconfig = parse(
      await sealer.open(await readFile(talosconfigPath, "utf8"), { file: talosconfigPath, format: "yaml" }),
    ) as Talosconfig;
    expect(talosconfig.context).toBe(name);
    expect(talosconfig.contexts[name]?.endpoints).toEqual(cluster.nodes.map((node) => node.address));
    expect(talosconfig.contexts[name]?.ca).toBe(bundle.certs.os.crt);
  });
});
