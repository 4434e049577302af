import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installerImage, nodeSchematic } from "./derive.js";
import { formatIssue } from "./errors.js";
import { nodeLinks } from "./links.js";
import { parseClusterYaml } from "./load.js";
import { validateCluster } from "./validate.js";

type Data = { talos: Record<string, unknown>; nodes: Record<string, unknown>[] };

function validate(change: (data: Data) => void) {
  const data = parseClusterYaml(
    readFileSync(path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml"), "utf8"),
  ) as Data;
  change(data);
  return validateCluster(data);
}

describe("links by hardware", () => {
  it("accepts an upper-case MAC and stores it lower-case", () => {
    const result = validate((data) => {
      (data.nodes[0] as Record<string, unknown>).mac = "52:54:00:AB:CD:EF";
    });
    expect(result.ok && result.cluster.nodes[0]?.mac).toBe("52:54:00:ab:cd:ef");
  });

  it("refuses eth0 without net.ifnames=0 and accepts it with the kernel argument", () => {
    const refused = validate((data) => {
      data.nodes[0] = { ...data.nodes[0], mac: undefined, interface: "eth0" };
    });
    expect(refused.ok ? [] : refused.errors.map((issue) => formatIssue(issue))).toEqual([
      expect.stringMatching(
        /^nodes\[0\]\.interface: eth0 does not exist on Talos.*add "net\.ifnames=0" to talos\.schematic\.extraKernelArgs$/,
      ),
    ]);
    const accepted = validate((data) => {
      data.nodes[0] = { ...data.nodes[0], mac: undefined, interface: "eth0" };
      data.talos.schematic = { extraKernelArgs: ["net.ifnames=0"] };
    });
    expect(accepted.ok).toBe(true);
  });

  it("names the uplink, bond members, bridge and VIP link", () => {
    const result = validate((data) => {
      data.nodes[0] = {
        ...data.nodes[0],
        mac: undefined,
        network: {
          bond: { members: ["52:54:00:00:01:01", "52:54:00:00:01:02"] },
          bridge: {},
          vlans: [{ id: 30, addresses: ["10.0.30.11/24"] }],
          vipLink: "br0",
        },
      };
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const links = nodeLinks(result.cluster.nodes[0] as never);
    expect(links).toMatchObject({
      base: "bond0",
      uplink: "br0",
      bondMembers: ["bond0-port0", "bond0-port1"],
      vlans: ["vlan30"],
      vip: "br0",
      kernelUplink: "br0",
      kernelVip: "br0",
    });
    expect(nodeLinks(result.cluster.nodes[1] as never)).toMatchObject({ uplink: "uplink", vip: "uplink" });
    expect(nodeLinks(result.cluster.nodes[1] as never).kernelVip).toBeUndefined();
  });
});

describe("schematic per node", () => {
  it("adds a node's extensions to the cluster's and derives its own installer", () => {
    const result = validate((data) => {
      data.talos.schematic = { extensions: ["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"] };
      data.nodes[2] = { ...data.nodes[2], schematic: { extensions: ["siderolabs/intel-ucode"], secureBoot: true } };
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { cluster } = result;
    expect(installerImage(cluster)).toBe(
      "factory.talos.dev/installer/613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245:v1.13.9",
    );
    const node = cluster.nodes[2];
    expect(nodeSchematic(cluster, node).schematic?.customization.systemExtensions?.officialExtensions).toEqual([
      "siderolabs/iscsi-tools",
      "siderolabs/util-linux-tools",
      "siderolabs/intel-ucode",
    ]);
    expect(installerImage(cluster, { node })).toMatch(
      /^factory\.talos\.dev\/installer-secureboot\/[0-9a-f]{64}:v1\.13\.9$/,
    );
    expect(installerImage(cluster, { node, version: "v1.14.0" })).toMatch(
      /^factory\.talos\.dev\/metal-installer-secureboot\//,
    );
  });

  it("keeps a pinned schematic id (the earlier string form)", () => {
    const pinned = "a".repeat(64);
    const result = validate((data) => {
      data.talos.schematic = pinned;
    });
    expect(result.ok && installerImage(result.cluster)).toBe(`factory.talos.dev/installer/${pinned}:v1.13.9`);
  });
});
