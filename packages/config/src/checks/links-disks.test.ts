// NIC selection and data-disk checks of the hardware model, stated refusal by refusal (these had no unit test:
// `pnpm mutation config-checks` found every mutant of them without coverage).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../errors.js";
import { parseClusterYaml } from "../load.js";
import { validateCluster } from "../validate.js";

// biome-ignore lint/suspicious/noExplicitAny: test data is edited freely before validation
type Data = any;

const valid = readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/valid/cluster.yaml"), "utf8");

function errorsOf(edit: (data: Data) => void): string[] {
  const data = parseClusterYaml(valid) as Data;
  edit(data);
  const result = validateCluster(data);
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
}

describe("uplink selection", () => {
  it("refuses interface together with mac", () => {
    expect(errorsOf((data) => (data.nodes[0].interface = "enp1s0"))).toEqual([
      "nodes[0].interface: is given together with mac/linkMatch, which already select the uplink — remove interface",
    ]);
  });
});

describe("bonds and VLANs", () => {
  it("refuses a bond on a node that also names its uplink NIC", () => {
    expect(
      errorsOf((data) => (data.nodes[0].network = { bond: { members: ["52:54:00:00:00:11", "52:54:00:00:00:12"] } })),
    ).toContain(
      "nodes[0].network.bond: replaces the single uplink NIC, but the node also names one (mac, linkMatch or interface) — list the NICs' MACs in network.bond.members and remove mac/linkMatch/interface",
    );
  });

  it("refuses a VLAN whose name is taken by another VLAN of the node, and accepts distinct names", () => {
    expect(
      errorsOf(
        (data) =>
          (data.nodes[0].network = {
            vlans: [
              { id: 10, name: "v" },
              { id: 20, name: "v" },
            ],
          }),
      ),
    ).toEqual([
      "nodes[0].network.vlans[1].name: v is already the name of another link of lab-1 — give the VLAN its own name",
    ]);
    expect(errorsOf((data) => (data.nodes[0].network = { vlans: [{ id: 10 }, { id: 20 }] }))).toEqual([]);
  });
});

describe("data disks", () => {
  it("refuses two disks of one node with the same name", () => {
    expect(errorsOf((data) => data.nodes[1].disks.push({ name: "cubefs-data", disk: { type: "hdd" } }))).toContain(
      "nodes[1].disks[1].name: cubefs-data is already a volume of lab-2 — give every data disk of a node its own name",
    );
  });

  it("refuses two cubefs: meta disks on one node", () => {
    const errors = errorsOf((data) => {
      for (const node of data.nodes) node.disks.push({ name: "meta", disk: { type: "ssd" }, cubefs: "meta" });
      data.nodes[0].disks.push({ name: "meta-2", disk: { type: "ssd" }, cubefs: "meta" });
    });
    expect(errors).toEqual([
      "nodes[0].disks: more than one disk is marked cubefs: meta — CubeFS keeps metanode and master data in one path: mark one disk",
    ]);
  });

  it("needs the same cubefs: meta disk name on every metanode and master, and skips other nodes", () => {
    const errors = errorsOf((data) => {
      data.cubefs = { ...data.cubefs, metaNodes: ["lab-1", "lab-2"], masterNodes: ["lab-1", "lab-2"] };
      data.nodes[0].disks.push({ name: "meta", disk: { type: "ssd" }, cubefs: "meta" });
      data.nodes[1].disks.push({ name: "other", disk: { type: "ssd" }, cubefs: "meta" });
    });
    expect(errors).toEqual([
      "nodes[1].disks: CubeFS metanode/master lab-2 has no cubefs: meta disk named meta — CubeFS uses one data path on every metanode and master: give each a cubefs: meta disk named meta",
    ]);
  });
});
