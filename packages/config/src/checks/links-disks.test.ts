// NIC selection and data-disk checks of the hardware model, stated refusal by refusal (these had no unit test:
// `pnpm mutation config-checks` found every mutant of them without coverage).
import { describe, expect, it } from "vitest";
import { type FixtureData as Data, errorsOf, warningsOf } from "../../test/edit-fixture.js";

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

describe("links: what passes (the refusals must not fire on good input)", () => {
  it("accepts a predictable kernel name as the uplink (only ethN without net.ifnames=0 is refused)", () => {
    expect(
      errorsOf((data) => {
        delete data.nodes[0].mac;
        data.nodes[0].interface = "enp1s0";
      }),
    ).toEqual([]);
  });

  it("accepts the same VLAN id on two different links of a node (a bridge over the uplink)", () => {
    expect(
      errorsOf(
        (data) =>
          (data.nodes[0].network = {
            bridge: { name: "br0" },
            vlans: [
              { id: 10, name: "v10a" },
              { id: 10, name: "v10b", parent: "uplink" },
            ],
          }),
      ),
    ).toEqual([]);
  });

  it("refuses a VLAN named like one of the node's own links", () => {
    expect(
      errorsOf((data) => (data.nodes[0].network = { bridge: { name: "br0" }, vlans: [{ id: 10, name: "br0" }] })),
    ).toEqual([
      "nodes[0].network.vlans[0].name: br0 is already the name of another link of lab-1 — give the VLAN its own name",
    ]);
  });
});

describe("CubeFS data and meta disks across nodes", () => {
  it("accepts the same data disks listed in another order on another datanode", () => {
    expect(
      errorsOf((data) => {
        for (const node of data.nodes)
          node.disks = [
            { name: "d-a", disk: { type: "ssd" }, cubefs: "data" },
            { name: "d-b", disk: { type: "ssd" }, cubefs: "data" },
          ];
        data.nodes[0].disks.reverse();
      }),
    ).toEqual([]);
  });

  it("names both disk lists when a datanode's differ, and ignores nodes that are not datanodes", () => {
    expect(
      errorsOf(
        (data) =>
          (data.nodes[1].disks = [
            { name: "x1", disk: { type: "ssd" }, cubefs: "data" },
            { name: "x2", disk: { type: "ssd" }, cubefs: "data" },
          ]),
      ),
    ).toContain(
      "nodes[1].disks: CubeFS datanode lab-2 has data disks [x1, x2], the others [cubefs-data, x1, x2] — the CubeFS chart gives every datanode one disk list: give each datanode the same cubefs: data disk names (or drop it from cubefs.dataNodes)",
    );
    // lab-2 is no datanode: its disk list is not compared (the datanodes are, against every data disk named)
    const errors = errorsOf((data) => {
      data.nodes[1].disks[0].name = "other";
      data.cubefs = { dataNodes: ["lab-1", "lab-3"] };
      data.storageClasses = [{ name: "cubefs", default: true, replicas: 2 }];
    });
    expect(errors.map((e) => e.split(":")[0])).toEqual(["nodes[0].disks", "nodes[2].disks"]);
  });

  it("does not report replicas that the datanodes with a disk can hold", () => {
    const errors = errorsOf((data) => {
      data.nodes[2].disks = [];
      data.storageClasses = [{ name: "cubefs", default: true, replicas: 2 }];
    });
    expect(errors.some((e) => e.includes("replicas need"))).toBe(false);
    expect(
      errorsOf((data) => {
        data.nodes[2].disks = [];
        data.storageClasses = [{ name: "cubefs", default: true, replicas: 3 }];
      }),
    ).toContain(
      "storageClasses[0].replicas: 3 replicas need 3 CubeFS datanodes with a data disk; 2 have one — lower replicas, or add a cubefs: data disk to more datanodes",
    );
  });

  it("takes the meta disk name from a node that has one, wherever it is in the list", () => {
    const errors = errorsOf((data) =>
      data.nodes[1].disks.push({ name: "meta", disk: { type: "ssd" }, cubefs: "meta" }),
    );
    expect(errors.filter((e) => e.includes("cubefs: meta disk named meta")).map((e) => e.split(":")[0])).toEqual([
      "nodes[0].disks",
      "nodes[2].disks",
    ]);
  });

  it("asks a meta disk of a master that is not a metanode, and of a metanode that is not a master", () => {
    const meta = (data: Data) => data.nodes[0].disks.push({ name: "meta", disk: { type: "ssd" }, cubefs: "meta" });
    for (const cubefs of [
      { masterNodes: ["lab-1", "lab-2"], metaNodes: ["lab-1"] },
      { masterNodes: ["lab-1"], metaNodes: ["lab-1", "lab-2"] },
    ]) {
      const errors = errorsOf((data) => {
        meta(data);
        data.cubefs = cubefs;
      });
      expect(errors.filter((e) => e.includes("cubefs: meta disk")).map((e) => e.split(":")[0])).toEqual([
        "nodes[1].disks",
      ]);
    }
  });
});

describe("PriorityClasses", () => {
  it("warns about a class no app names, and not about one an app names", () => {
    const warnings = warningsOf((data) => {
      data.priorityClasses = [
        { name: "used", value: 100 },
        { name: "unused", value: 50 },
      ];
      data.apps = [
        { name: "a", image: "nginx:1.27", port: 8080, priorityClassName: "used" },
        { name: "b", image: "nginx:1.27", port: 8080 },
      ];
    });
    expect(warnings.filter((w) => w.startsWith("priorityClasses["))).toEqual([
      expect.stringMatching(/^priorityClasses\[1\]: /),
    ]);
  });
});

describe("uplink selection: each way of naming the NIC", () => {
  const bond = { bond: { members: ["52:54:00:00:00:11", "52:54:00:00:00:12"] } };
  it.each([
    [
      "linkMatch",
      (data: Data) => {
        delete data.nodes[0].mac;
        data.nodes[0].linkMatch = "link.driver == 'virtio_net'";
      },
    ],
    [
      "interface",
      (data: Data) => {
        delete data.nodes[0].mac;
        data.nodes[0].interface = "enp1s0";
      },
    ],
  ])("refuses a bond beside %s", (_, select) => {
    expect(
      errorsOf((data) => {
        select(data);
        data.nodes[0].network = bond;
      }),
    ).toContain(
      "nodes[0].network.bond: replaces the single uplink NIC, but the node also names one (mac, linkMatch or interface) — list the NICs' MACs in network.bond.members and remove mac/linkMatch/interface",
    );
  });

  it("refuses interface together with linkMatch, and accepts a bond alone", () => {
    expect(
      errorsOf((data) => {
        delete data.nodes[0].mac;
        data.nodes[0].linkMatch = "link.driver == 'virtio_net'";
        data.nodes[0].interface = "enp1s0";
      }),
    ).toEqual([
      "nodes[0].interface: is given together with mac/linkMatch, which already select the uplink — remove interface",
    ]);
    expect(
      errorsOf((data) => {
        delete data.nodes[0].mac;
        data.nodes[0].network = bond;
      }),
    ).toEqual([]);
  });
});
