// The hardware model rendered for every supported Talos line: disks, links, schematic, OIDC CA, Talos API access.
import { type Cluster, type ClusterInput, loadCluster, nodeSchematic, validateCluster } from "@kubeforge/config";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { validateConfigDocuments } from "../schema/validate-config.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import type { TalosMinor } from "./contract.js";
import { type ConfigDocument, documentId } from "./documents.js";
import { renderMachineConfigs } from "./render.js";

let homelab: Cluster;
let bundle: SecretsBundle;
beforeAll(async () => {
  homelab = (await loadCluster(homelabClusterFile)).cluster;
  bundle = await testBundle();
}, 120_000);

const VERSIONS: readonly [string, TalosMinor][] = [
  ["v1.12.11", 12],
  ["v1.13.9", 13],
  ["v1.14.0", 14],
];

/** Re-validates a changed model, so defaults and checks apply as they would on load. */
function model(change: (input: ClusterInput) => void, version = "v1.13.9"): Cluster {
  const input = structuredClone(homelab) as unknown as ClusterInput;
  input.talos.version = version;
  change(input);
  const result = validateCluster(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.cluster;
}

function byId(documents: readonly ConfigDocument[]): Map<string, ConfigDocument> {
  return new Map(documents.map((document) => [documentId(document), document]));
}

function expectValid(cluster: Cluster, minor: TalosMinor) {
  for (const config of renderMachineConfigs(cluster, bundle)) {
    expect(validateConfigDocuments(config.documents, { minor, file: config.hostname })).toEqual([]);
  }
}

describe("data disks and extensions", () => {
  it.each(VERSIONS)("render two user volumes per node that pass the official %s schema", (version, minor) => {
    const cluster = model(() => {}, version);
    expect(cluster.talos.schematic.extensions.length).toBeGreaterThan(0);
    expectValid(cluster, minor);
    const documents = byId(renderMachineConfigs(cluster, bundle)[0]?.documents ?? []);
    expect(documents.get("UserVolumeConfig/cubefs-meta")).toEqual({
      apiVersion: "v1alpha1",
      kind: "UserVolumeConfig",
      name: "cubefs-meta",
      provisioning: {
        diskSelector: { match: '!disk.rotational && disk.transport != "nvme" && !system_disk' },
        minSize: "1GiB",
        grow: true,
      },
      filesystem: { type: "xfs" },
    });
    expect(documents.get("UserVolumeConfig/cubefs-data")).toMatchObject({
      provisioning: { diskSelector: { match: "disk.rotational && !system_disk" } },
    });
  });

  it("puts the node's install disk selector in v1alpha1 (1.12/1.13) and in CEL (1.14)", () => {
    const selector = {
      size: ">= 480GB",
      model: "Samsung SSD*",
      serial: "S5X",
      wwid: "naa.5002",
      busPath: "/pci0000:00/*",
    };
    const change = (input: ClusterInput) => {
      (input.nodes[0] as { installDisk?: unknown }).installDisk = selector;
    };
    const v13 = byId(renderMachineConfigs(model(change), bundle)[0]?.documents ?? []);
    expect((v13.get("v1alpha1") as { machine: { install: unknown } }).machine.install).toMatchObject({
      diskSelector: selector,
    });
    const v14 = byId(renderMachineConfigs(model(change, "v1.14.0"), bundle)[0]?.documents ?? []);
    expect(v14.get("UnattendedInstall")).toMatchObject({
      provisioning: {
        diskSelector: {
          match:
            'disk.size >= 480000000000u && glob("Samsung SSD*", disk.model) && disk.serial == "S5X" && disk.wwid == "naa.5002" && glob("/pci0000:00/*", disk.bus_path)',
        },
      },
    });
    for (const [version, minor] of VERSIONS) expectValid(model(change, version), minor);
  });

  it("gives a node with its own extensions its own installer image", () => {
    const cluster = model((input) => {
      input.nodes[2] = { ...input.nodes[2], schematic: { extensions: ["siderolabs/i915"] } } as never;
    });
    const images = renderMachineConfigs(cluster, bundle).map(
      (config) =>
        (byId(config.documents).get("v1alpha1") as { machine: { install: { image: string } } }).machine.install.image,
    );
    expect(images[0]).toBe(images[1]);
    expect(images[2]).not.toBe(images[0]);
    expect(images[2]).toBe(`factory.talos.dev/installer/${nodeSchematic(cluster, cluster.nodes[2]).id}:v1.13.9`);
  });
});

describe("links", () => {
  const network = (input: ClusterInput) => {
    input.nodes[0] = {
      ...input.nodes[0],
      mac: undefined,
      network: {
        mtu: 9000,
        bond: { members: ["52:54:00:aa:00:01", "52:54:00:aa:00:02"], lacpRate: "fast" },
        bridge: { name: "br0" },
        vlans: [
          { id: 20, addresses: ["10.0.20.11/24"], mtu: 1500 },
          { id: 30, dhcp: true },
        ],
        vipLink: "br0",
      },
    } as never;
    input.nodes[1] = { ...input.nodes[1], network: { dhcp: true } } as never;
  };

  it.each(VERSIONS)("renders bond, bridge, VLANs, MTU and DHCP that pass the official %s schema", (version, minor) => {
    expectValid(model(network, version), minor);
  });

  it("builds the bond from MAC-selected members and moves the address to the bridge", () => {
    const [first, second] = renderMachineConfigs(model(network), bundle).map((config) => byId(config.documents));
    expect(first?.get("LinkAliasConfig/bond0-port1")).toMatchObject({
      selector: { match: 'mac(link.permanent_addr) == "52:54:00:aa:00:02"' },
    });
    expect(first?.get("BondConfig/bond0")).toEqual({
      apiVersion: "v1alpha1",
      kind: "BondConfig",
      name: "bond0",
      links: ["bond0-port0", "bond0-port1"],
      bondMode: "802.3ad",
      miimon: 100,
      lacpRate: "fast",
      up: true,
      mtu: 9000,
    });
    expect(first?.get("BridgeConfig/br0")).toMatchObject({
      links: ["bond0"],
      addresses: [{ address: "192.168.1.101/24" }],
      routes: [{ gateway: "192.168.1.1" }],
    });
    expect(first?.get("VLANConfig/vlan20")).toMatchObject({ vlanID: 20, parent: "br0", mtu: 1500 });
    expect(first?.get("DHCPv4Config/vlan30")).toBeDefined();
    expect(first?.get("Layer2VIPConfig/192.168.1.100")).toMatchObject({ link: "br0" });
    expect(first?.has("LinkAliasConfig/uplink")).toBe(false);
    // DHCP on the uplink: no static address, a DHCPv4Config instead.
    expect(second?.get("LinkConfig/uplink")).toEqual({
      apiVersion: "v1alpha1",
      kind: "LinkConfig",
      name: "uplink",
      up: true,
    });
    expect(second?.get("DHCPv4Config/uplink")).toBeDefined();
  });
});

describe("OIDC issuer CA", () => {
  const CA = "-----BEGIN CERTIFICATE-----\nMIIBfDCCASOgAwIBAgIQCKFRda9R\n-----END CERTIFICATE-----";
  const withCa = (input: ClusterInput) => {
    input.oidc.issuerCaPem = CA;
  };

  it("1.12/1.13: oidc-ca-file, the CA as a machine file and a read-only API-server volume", () => {
    for (const [version, minor] of VERSIONS.slice(0, 2)) {
      const cluster = model(withCa, version);
      expectValid(cluster, minor);
      // biome-ignore lint/suspicious/noExplicitAny: reads into plain rendered data
      const v1 = byId(renderMachineConfigs(cluster, bundle)[0]?.documents ?? []).get("v1alpha1") as any;
      expect(v1.cluster.apiServer.extraArgs["oidc-ca-file"]).toBe("/etc/kubernetes/oidc/issuer-ca.crt");
      expect(v1.cluster.apiServer.extraVolumes).toEqual([
        {
          hostPath: "/var/etc/kubernetes/oidc-issuer-ca.crt",
          mountPath: "/etc/kubernetes/oidc/issuer-ca.crt",
          readonly: true,
        },
      ]);
      expect(v1.machine.files).toEqual([
        { content: `${CA}\n`, permissions: 0o644, path: "/var/etc/kubernetes/oidc-issuer-ca.crt", op: "create" },
      ]);
    }
  });

  it("1.14: the JWT issuer's certificateAuthority", () => {
    const cluster = model(withCa, "v1.14.0");
    expectValid(cluster, 14);
    const documents = byId(renderMachineConfigs(cluster, bundle)[0]?.documents ?? []);
    expect(documents.get("KubeAuthenticationConfig")).toMatchObject({
      configuration: { jwt: [{ issuer: { certificateAuthority: `${CA}\n` } }] },
    });
  });
});

describe("kubernetesTalosAPIAccess", () => {
  const access = (input: ClusterInput) => {
    input.talos.kubernetesTalosAPIAccess = { roles: ["os:reader", "os:etcd:backup"], namespaces: ["kube-system"] };
  };

  it("is a machine feature up to 1.13 and a KubeTalosAPIAccessConfig in 1.14, on control planes", () => {
    // biome-ignore lint/suspicious/noExplicitAny: reads into plain rendered data
    const v1 = byId(renderMachineConfigs(model(access), bundle)[0]?.documents ?? []).get("v1alpha1") as any;
    expect(v1.machine.features.kubernetesTalosAPIAccess).toEqual({
      enabled: true,
      allowedRoles: ["os:reader", "os:etcd:backup"],
      allowedKubernetesNamespaces: ["kube-system"],
    });
    const v14 = byId(renderMachineConfigs(model(access, "v1.14.0"), bundle)[0]?.documents ?? []);
    expect(v14.get("KubeTalosAPIAccessConfig")).toMatchObject({ allowedRoles: ["os:reader", "os:etcd:backup"] });
    for (const [version, minor] of VERSIONS) expectValid(model(access, version), minor);
  });
});

describe("OIDC issuer CA from a file", () => {
  it("is read relative to the cluster definition; unread, rendering refuses", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { resolveOidcCa } = await import("../io/oidc-ca.js");
    const directory = await mkdtemp(path.join(tmpdir(), "talos-oidc-"));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBfDCCASOgAwIBAgIQCKFRda9R\n-----END CERTIFICATE-----\n";
    await writeFile(path.join(directory, "ca.pem"), pem);
    const cluster = model((input) => {
      input.oidc.issuerCaFile = "ca.pem";
    });
    expect(() => renderMachineConfigs(cluster, bundle)).toThrow(/oidc\.issuerCaFile: has not been read/);
    const resolved = await resolveOidcCa(cluster, path.join(directory, "cluster.ts"));
    expect(resolved.oidc.issuerCaPem).toBe(pem);
    expectValid(resolved, 13);
    await writeFile(path.join(directory, "bad.pem"), "hello");
    await expect(
      resolveOidcCa(
        model((input) => {
          input.oidc.issuerCaFile = "bad.pem";
        }),
        path.join(directory, "cluster.ts"),
      ),
    ).rejects.toThrow(/bad\.pem: oidc\.issuerCaFile: is not one or more PEM certificates/);
  });
});
