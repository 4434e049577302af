import { readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, loadCluster, nodeSchematic, validateCluster } from "@kubeforge/config";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { testBundle } from "../__fixtures__/bundle.js";
import { homelabClusterFile, talosConformance } from "../__fixtures__/paths.js";
import { validateConfigDocuments, validateConfigText } from "../schema/validate-config.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { type ConfigDocument, documentId } from "./documents.js";
import { renderMachineConfigs, stringifyMachineConfig } from "./render.js";

let homelab: Cluster;
let bundle: SecretsBundle;

beforeAll(async () => {
  homelab = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
});

function withVersion(cluster: Cluster, version: string): Cluster {
  return { ...cluster, talos: { ...cluster.talos, version } };
}

function golden(name: string): ConfigDocument[] {
  const text = readFileSync(path.join(talosConformance, "golden", name), "utf8");
  return parseAllDocuments(text).map((document) => document.toJS() as ConfigDocument);
}

function byId(documents: readonly ConfigDocument[]): Map<string, ConfigDocument> {
  return new Map(documents.map((document) => [documentId(document), document]));
}

/** Every key path of `golden` that `ours` also has must hold the same kind of value (map, list, scalar). */
function shapeMismatches(ours: unknown, theirs: unknown, at = ""): string[] {
  const kind = (value: unknown) =>
    Array.isArray(value) ? "list" : value !== null && typeof value === "object" ? "map" : "scalar";
  if (kind(ours) !== kind(theirs)) return [`${at}: ${kind(ours)} vs golden ${kind(theirs)}`];
  if (kind(ours) !== "map") return [];
  const a = ours as Record<string, unknown>;
  const b = theirs as Record<string, unknown>;
  return Object.keys(b)
    .filter((key) => key in a)
    .flatMap((key) => shapeMismatches(a[key], b[key], at ? `${at}.${key}` : key));
}

describe("homelab on Talos 1.13", () => {
  it("renders three controlplane configs that validate against the official 1.13.9 schema", () => {
    const configs = renderMachineConfigs(homelab, bundle);
    expect(configs.map((config) => config.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    for (const config of configs) {
      expect(config.type).toBe("controlplane");
      expect(validateConfigDocuments(config.documents, { minor: 13 })).toEqual([]);
      // The text form, as written to disk, validates too.
      expect(validateConfigText(stringifyMachineConfig(config), { minor: 13 })).toEqual([]);
    }
  });

  it("matches the structure of talosctl gen config output where they overlap", () => {
    const [config] = renderMachineConfigs(homelab, bundle);
    const ours = byId(config?.documents ?? []);
    const theirs = byId(golden("gen-config-v1.13-base-controlplane.yaml"));
    const { persist: _persist, ...goldenV1 } = theirs.get("v1alpha1") ?? {};
    expect(shapeMismatches(ours.get("v1alpha1"), goldenV1)).toEqual([]);
    // Same top-level sections, same order of the v1alpha1 document's keys.
    expect(Object.keys(ours.get("v1alpha1") ?? {})).toEqual(Object.keys(goldenV1));
    const machine = (ours.get("v1alpha1")?.machine ?? {}) as Record<string, unknown>;
    const goldenMachine = (goldenV1.machine ?? {}) as Record<string, unknown>;
    for (const key of ["type", "token", "ca", "certSANs", "kubelet", "install", "features"]) {
      expect(Object.keys(machine)).toContain(key);
      expect(Object.keys(goldenMachine)).toContain(key);
    }
    // The golden base config lets Talos pick the hostname; ours pins it.
    expect(ours.get("HostnameConfig")).toEqual({ apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "node-1" });
  });

  it("carries the cluster's network, VIP, CNI, OIDC, KubePrism and etcd settings", () => {
    const [config] = renderMachineConfigs(homelab, bundle);
    const documents = byId(config?.documents ?? []);
    // biome-ignore lint/suspicious/noExplicitAny: assertions read into plain rendered data
    const v1 = documents.get("v1alpha1") as { machine: Record<string, any>; cluster: Record<string, any> };
    expect(v1).not.toHaveProperty("persist");
    // The install disk by what it is, and the installer of the schematic computed from the extension list.
    expect(v1.machine.install).toEqual({
      diskSelector: { type: "nvme" },
      image: `factory.talos.dev/installer/${nodeSchematic(homelab).id}:v1.13.9`,
      wipe: false,
      grubUseUKICmdline: true,
    });
    expect(v1.machine.certSANs).toEqual(["192.168.1.100"]);
    // The VIP sits inside nodeCidr: excluded, or kubelet and etcd may pick it as the node's address.
    expect(v1.machine.kubelet.nodeIP).toEqual({ validSubnets: ["192.168.1.0/24", "!192.168.1.100/32"] });
    expect(v1.machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    // CubeFS roles only: no external-LB exclusion on nodes that also run workloads.
    expect(v1.machine.nodeLabels).toEqual({
      "component.cubefs.io/master": "enabled",
      "component.cubefs.io/metanode": "enabled",
      "component.cubefs.io/datanode": "enabled",
      "component.cubefs.io/csi": "enabled",
    });
    expect(v1.cluster.controlPlane).toEqual({ endpoint: "https://192.168.1.100:6443" });
    expect(v1.cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(v1.cluster.network.cni).toEqual({ name: "none" });
    expect(v1.cluster.proxy).toEqual({ disabled: true });
    expect(v1.cluster.apiServer.certSANs).toEqual(["192.168.1.100"]);
    expect(v1.cluster.apiServer.extraArgs).toMatchObject({
      "oidc-issuer-url": "https://auth.homelab.local",
      "oidc-client-id": "kubernetes",
      "oidc-username-claim": "email",
      "oidc-groups-claim": "groups",
    });
    expect(v1.cluster.apiServer.admissionControl[0].configuration.defaults.enforce).toBe("baseline");
    expect(v1.cluster.etcd.advertisedSubnets).toEqual(["192.168.1.0/24", "!192.168.1.100/32"]);
    expect(v1.cluster.etcd.ca).toEqual(bundle.certs.etcd);
    expect(v1.cluster.secretboxEncryptionSecret).toBe(bundle.secrets.secretboxencryptionsecret);
    expect(documents.get("Layer2VIPConfig/192.168.1.100")).toEqual({
      apiVersion: "v1alpha1",
      kind: "Layer2VIPConfig",
      name: "192.168.1.100",
      link: "uplink",
    });
    expect(documents.get("LinkAliasConfig/uplink")).toMatchObject({
      selector: { match: 'mac(link.permanent_addr) == "52:54:00:1a:01:01"' },
    });
    expect(documents.get("LinkConfig/uplink")).toMatchObject({
      addresses: [{ address: "192.168.1.101/24" }],
      routes: [{ gateway: "192.168.1.1" }],
    });
    expect(documents.get("ResolverConfig")).toMatchObject({
      nameservers: [{ address: "192.168.1.1" }, { address: "1.1.1.1" }],
    });
    expect(documents.get("TimeSyncConfig")).toMatchObject({ ntp: { servers: ["time.cloudflare.com"] } });
  });

  it("is deterministic for the same bundle and model", () => {
    const first = renderMachineConfigs(homelab, bundle).map(stringifyMachineConfig);
    const second = renderMachineConfigs(homelab, bundle).map(stringifyMachineConfig);
    expect(second).toEqual(first);
    expect(first[0]).not.toContain("persist");
  });

  it("selects the link by MAC through a LinkAliasConfig", () => {
    const nodes = homelab.nodes.map((node, index) =>
      index === 0 ? { ...node, interface: undefined, mac: "aa:bb:cc:dd:ee:01" } : node,
    );
    const [config] = renderMachineConfigs({ ...homelab, nodes }, bundle);
    const documents = byId(config?.documents ?? []);
    expect(documents.get("LinkAliasConfig/uplink")).toMatchObject({
      selector: { match: 'mac(link.permanent_addr) == "aa:bb:cc:dd:ee:01"' },
    });
    expect(documents.get("Layer2VIPConfig/192.168.1.100")).toMatchObject({ link: "uplink" });
    expect(validateConfigDocuments(config?.documents ?? [], { minor: 13 })).toEqual([]);
  });

  it("leaves the VIP to kube-vip when the model says so, keeping it in the API server SANs", () => {
    const [config] = renderMachineConfigs({ ...homelab, api: { ...homelab.api, provider: "kube-vip" } }, bundle);
    const documents = byId(config?.documents ?? []);
    expect([...documents.keys()].some((id) => id.startsWith("Layer2VIPConfig"))).toBe(false);
    // biome-ignore lint/suspicious/noExplicitAny: assertions read into plain rendered data
    const v1 = documents.get("v1alpha1") as any;
    expect(v1.cluster.apiServer.certSANs).toEqual(["192.168.1.100"]);
    // Talos does not know kube-vip's address, so only the exclusion keeps it from becoming the node/etcd IP.
    expect(v1.machine.kubelet.nodeIP.validSubnets).toEqual(["192.168.1.0/24", "!192.168.1.100/32"]);
    expect(v1.cluster.etcd.advertisedSubnets).toEqual(["192.168.1.0/24", "!192.168.1.100/32"]);
    expect(validateConfigDocuments(config?.documents ?? [], { minor: 13 })).toEqual([]);
  });

  it("keeps keys off worker-only nodes and gives them no VIP", () => {
    const nodes = [
      ...homelab.nodes,
      { ...homelab.nodes[0]!, hostname: "worker-1", address: "192.168.1.110", controlPlane: false },
    ];
    const worker = renderMachineConfigs({ ...homelab, nodes }, bundle).at(-1);
    const documents = byId(worker?.documents ?? []);
    // biome-ignore lint/suspicious/noExplicitAny: assertions read into plain rendered data
    const v1 = documents.get("v1alpha1") as { machine: Record<string, any>; cluster: Record<string, any> };
    expect(worker?.type).toBe("worker");
    expect(v1.machine.ca.key).toBe("");
    expect(v1.cluster.ca.key).toBe("");
    expect(v1.cluster).not.toHaveProperty("etcd");
    expect(v1.cluster).not.toHaveProperty("aggregatorCA");
    expect([...documents.keys()].some((id) => id.startsWith("Layer2VIPConfig"))).toBe(false);
    expect(validateConfigDocuments(worker?.documents ?? [], { minor: 13 })).toEqual([]);
  });
});

describe("patches from the model", () => {
  it("are part of the validated model: a malformed JSON patch is rejected with its path", () => {
    const input = {
      ...homelab,
      nodes: homelab.nodes.map((node, index) =>
        index === 1 ? { ...node, patches: [[{ op: "explode", path: "machine" }]] } : node,
      ),
    };
    const result = validateCluster(input);
    expect(result.ok).toBe(false);
    // the path of the wrong field inside the patch (a patch is a JSON patch or a strategic merge mapping: the
    // alternative of the value's own kind reports what is wrong in it)
    expect(result.ok ? [] : result.errors.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      expect.stringMatching(/^nodes\[1\]\.patches\[0\]\[0\]\.op: .*"add"/),
    ]);
  });

  it("applies cluster, then role, then node patches, each validated with the rest", () => {
    const patched: Cluster = {
      ...homelab,
      talos: {
        ...homelab.talos,
        patches: [{ machine: { kubelet: { extraArgs: { "max-pods": "150" } } } }],
        controlPlanePatches: [[{ op: "replace", path: "/machine/kubelet/extraArgs/max-pods", value: "200" }]],
      },
      nodes: homelab.nodes.map((node, index) =>
        index === 2
          ? {
              ...node,
              patches: [
                { machine: { kubelet: { extraArgs: { "max-pods": "250" } } } },
                {
                  apiVersion: "v1alpha1",
                  kind: "UserVolumeConfig",
                  name: "data",
                  provisioning: { diskSelector: { match: "!system_disk" }, minSize: "100GiB" },
                },
              ],
            }
          : node,
      ),
    };
    const configs = renderMachineConfigs(patched, bundle);
    const maxPods = configs.map(
      // biome-ignore lint/suspicious/noExplicitAny: assertions read into plain rendered data
      (config) => (byId(config.documents).get("v1alpha1") as any).machine.kubelet.extraArgs["max-pods"],
    );
    expect(maxPods).toEqual(["200", "200", "250"]);
    expect(byId(configs[2]?.documents ?? []).has("UserVolumeConfig/data")).toBe(true);
    expect(byId(configs[0]?.documents ?? []).has("UserVolumeConfig/data")).toBe(false);
    for (const config of configs) expect(validateConfigDocuments(config.documents, { minor: 13 })).toEqual([]);
  });
});

describe("Kubernetes version", () => {
  it("must be one the pinned Talos release supports", () => {
    const tooNew = { ...homelab, kubernetes: { version: "v1.36.1" } };
    expect(() => renderMachineConfigs(withVersion(tooNew, "v1.12.11"), bundle)).toThrow(
      /^kubernetes\.version: Kubernetes v1\.36\.1 is not supported by Talos v1\.12\.11 \(it runs Kubernetes 1\.30–1\.35\)/,
    );
    expect(() => renderMachineConfigs({ ...homelab, kubernetes: { version: "v1.30.4" } }, bundle)).toThrow(
      /Kubernetes v1\.30\.4 is not supported by Talos v1\.13\.9 \(it runs Kubernetes 1\.31–1\.36\)/,
    );
    expect(renderMachineConfigs(withVersion(tooNew, "v1.13.9"), bundle)).toHaveLength(3);
  });
});

describe("other Talos contracts", () => {
  it("1.12 validates against the 1.12.11 schema", () => {
    for (const config of renderMachineConfigs(withVersion(homelab, "v1.12.11"), bundle)) {
      expect(validateConfigDocuments(config.documents, { minor: 12 })).toEqual([]);
    }
  });

  it("1.14 uses the Kube* documents, KubeAuthenticationConfig for OIDC and no flannel", () => {
    const configs = renderMachineConfigs(withVersion(homelab, "v1.14.0"), bundle);
    for (const config of configs) expect(validateConfigDocuments(config.documents, { minor: 14 })).toEqual([]);
    const documents = byId(configs[0]?.documents ?? []);
    const goldenIds = [...byId(golden("gen-config-v1.14-base-controlplane.yaml")).keys()];
    // Everything talosctl generates is there, except flannel (CNI none) which is left out on purpose.
    expect(goldenIds.filter((id) => !documents.has(id))).toEqual(["KubeFlannelCNIConfig"]);
    // Where a document exists in both, its keys hold the same kind of value as in talosctl's output.
    const goldenDocuments = byId(golden("gen-config-v1.14-base-controlplane.yaml"));
    const mismatches = goldenIds
      .filter((id) => documents.has(id) && id !== "v1alpha1")
      .flatMap((id) => shapeMismatches(documents.get(id), goldenDocuments.get(id), id));
    expect(mismatches).toEqual([]);
    expect(documents.get("KubeAuthenticationConfig")).toMatchObject({
      configuration: {
        jwt: [
          {
            issuer: { url: "https://auth.homelab.local", audiences: ["kubernetes"] },
            claimMappings: {
              username: { claim: "email", prefix: "oidc:" },
              groups: { claim: "groups", prefix: "oidc:" },
            },
          },
        ],
      },
    });
    expect(documents.get("KubeAPIServerConfig")).not.toHaveProperty("extraArgs");
    expect(documents.get("KubeProxyConfig")).toMatchObject({ enabled: false });
    expect(documents.get("KubeNodeConfig")).not.toHaveProperty("taints");
    expect(documents.get("KubeNodeConfig")).toMatchObject({
      nodeIP: { validSubnets: ["192.168.1.0/24", "!192.168.1.100/32"] },
    });
    expect(documents.get("UnattendedInstall")).toMatchObject({
      provisioning: { diskSelector: { match: 'disk.transport == "nvme"' } },
    });
    const v1 = documents.get("v1alpha1") as { machine: Record<string, unknown>; cluster: Record<string, unknown> };
    expect(Object.keys(v1.machine)).not.toContain("install");
    expect(Object.keys(v1.cluster)).toEqual(["token", "etcd"]);
    expect(v1.cluster.etcd).toMatchObject({ advertisedSubnets: ["192.168.1.0/24", "!192.168.1.100/32"] });
    const shape = shapeMismatches(
      v1,
      (({ persist: _p, ...rest }) => rest)(
        byId(golden("gen-config-v1.14-base-controlplane.yaml")).get("v1alpha1") ?? {},
      ),
    );
    expect(shape).toEqual([]);
  });

  it("1.14 worker configs validate and carry no keys", () => {
    const nodes = [
      ...homelab.nodes,
      { ...homelab.nodes[0]!, hostname: "worker-1", address: "192.168.1.110", controlPlane: false },
    ];
    const worker = renderMachineConfigs(withVersion({ ...homelab, nodes }, "v1.14.0"), bundle).at(-1);
    expect(validateConfigDocuments(worker?.documents ?? [], { minor: 14 })).toEqual([]);
    const documents = byId(worker?.documents ?? []);
    expect(documents.get("KubeAPIServerCAConfig")).toHaveProperty("acceptedCAs");
    expect(documents.has("KubeServiceAccountConfig")).toBe(false);
    expect(stringifyMachineConfig(worker ?? { documents: [] })).not.toMatch(/PRIVATE KEY/);
  });

  it("refuses a Talos version it has no contract for", () => {
    expect(() => renderMachineConfigs(withVersion(homelab, "v1.11.6"), bundle)).toThrow(/v1.11.6 is not supported/);
  });
});
