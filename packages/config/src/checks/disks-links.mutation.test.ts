// @ts-nocheck
// Data disks and uplinks, stated case by case (mutants of nodes.ts / network.ts that `pnpm mutation
// config-checks` found uncovered): each refusal names the node's field and the fix.
import { describe, expect, it } from "vitest";
import { type FixtureData as Data, errorsOf } from "../../test/edit-fixture.js";

const meta = (name: string) => ({ name, disk: { type: "ssd" }, cubefs: "meta" });

describe("data disks", () => {
  it("a volume name used twice on one node is refused at the second disk", () => {
    const errors = errorsOf((data) => data.nodes[0].disks.push({ name: "cubefs-data", disk: { type: "hdd" } }));
    expect(errors).toContain(
      "nodes[0].disks[1].name: cubefs-data is already a volume of lab-1 — give every data disk of a node its own name",
    );
  });

  it("two cubefs: meta disks on one node are refused", () => {
    const errors = errorsOf((data) => {
      for (const node of data.nodes) node.disks.push(meta("meta"));
      data.nodes[1].disks.push(meta("meta-2"));
    });
    expect(errors).toContain(
      "nodes[1].disks: more than one disk is marked cubefs: meta — CubeFS keeps metanode and master data in one path: mark one disk",
    );
  });

  it("one cubefs: meta disk on every metanode/master with the same name passes; one missing is named", () => {
    const withMeta = (count: number) => (data: Data) => {
      for (const node of data.nodes.slice(0, count)) node.disks.push(meta("meta"));
    };
    expect(errorsOf(withMeta(3))).toEqual([]);
    const errors = errorsOf(withMeta(2));
    expect(errors).toEqual([
      "nodes[2].disks: CubeFS metanode/master lab-3 has no cubefs: meta disk named meta — CubeFS uses one data path on every metanode and master: give each a cubefs: meta disk named meta",
    ]);
  });
});

describe("uplinks", () => {
  it("interface together with mac is refused: mac already selects the uplink", () => {
    expect(errorsOf((data) => (data.nodes[0].interface = "enp1s0"))).toEqual([
      "nodes[0].interface: is given together with mac/linkMatch, which already select the uplink — remove interface",
    ]);
  });

  it("a bond on a node that also names a single uplink NIC is refused", () => {
    const errors = errorsOf(
      (data) => (data.nodes[0].network = { bond: { members: ["52:54:00:00:01:01", "52:54:00:00:01:02"] } }),
    );
    expect(errors).toContain(
      "nodes[0].network.bond: replaces the single uplink NIC, but the node also names one (mac, linkMatch or interface) — list the NICs' MACs in network.bond.members and remove mac/linkMatch/interface",
    );
  });
});

describe("per-node schematic additions", () => {
  const pinned = "0123456789abcdef".repeat(4);
  const refusal = (index: number) =>
    `nodes[${index}].schematic: adds to a pinned talos.schematic.id, whose contents kubeforge does not know — describe the cluster's schematic with extensions/extraKernelArgs instead of an id, or pin the node's image with a patch`;

  it("an extension, a kernel argument or an overlay added to a pinned schematic id is refused, per node", () => {
    const errors = errorsOf((data) => {
      data.talos.schematic = pinned;
      data.nodes[0].schematic = { extensions: ["siderolabs/intel-ucode"] };
      data.nodes[1].schematic = { extraKernelArgs: ["net.ifnames=0"] };
      data.nodes[2].schematic = { overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" } };
    });
    expect(errors.filter((error) => error.includes(".schematic: "))).toEqual([refusal(0), refusal(1), refusal(2)]);
  });

  it("an empty addition, or only secureBoot, to a pinned id passes", () => {
    const errors = errorsOf((data) => {
      data.talos.schematic = pinned;
      data.nodes[0].schematic = {};
      data.nodes[1].schematic = { secureBoot: false };
    });
    expect(errors.filter((error) => error.includes(".schematic: "))).toEqual([]);
  });
});
