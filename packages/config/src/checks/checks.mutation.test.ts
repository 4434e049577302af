// Cross-field checks stated case by case, each case written to kill a mutant Stryker found surviving
// (`pnpm mutation config-checks`): every refusal must happen, and every legitimate value must pass.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorsOf } from "../../test/edit-fixture.js";
import { parseClusterYaml } from "../load.js";
import type { Cluster } from "../schema/cluster.js";
import { validateCluster } from "../validate.js";
import { checkAddresses, checkCidrs, checkServiceCidrSize } from "./network.js";

const valid = readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/valid/cluster.yaml"), "utf8");

describe("API VIP and node addresses", () => {
  it.each([
    ["10.0.0.0", "the network address"],
    ["10.0.0.255", "the broadcast address"],
  ])("refuses a VIP on %s (%s)", (vip) => {
    expect(errorsOf((data) => (data.api.vip = vip))).toEqual([
      `api.vip: ${vip} is outside nodeCidr 10.0.0.0/24 — a Layer 2 VIP must be a free address in the node subnet`,
    ]);
  });

  it("refuses a node on the broadcast address, and accepts the last usable one", () => {
    expect(errorsOf((data) => (data.nodes[2].address = "10.0.0.255"))).toEqual([
      "nodes[2].address: 10.0.0.255 is outside nodeCidr 10.0.0.0/24 — move the node or widen the CIDR",
    ]);
    expect(errorsOf((data) => (data.nodes[2].address = "10.0.0.254"))).toEqual([]);
  });

  it("refuses a gateway outside the node subnet", () => {
    expect(errorsOf((data) => (data.network.gateway = "10.0.1.1"))).toEqual([
      "network.gateway: 10.0.1.1 is outside nodeCidr 10.0.0.0/24 — set the gateway of the node subnet",
    ]);
  });

  it("names the node whose address the VIP takes", () => {
    expect(errorsOf((data) => (data.api.vip = "10.0.0.12"))).toEqual([
      "api.vip: 10.0.0.12 is the address of nodes[1] (lab-2) — pick a free address for the VIP; it moves between nodes",
    ]);
  });

  it("an unparseable address counts as outside, and an unparseable nodeCidr makes no claim, without throwing", () => {
    const base = validateCluster(parseClusterYaml(valid));
    if (!base.ok) throw new Error("fixture must be valid");
    const cluster = base.cluster;
    const garbage = { ...cluster, api: { ...cluster.api, vip: "not-an-ip" } } as Cluster;
    expect(checkAddresses(garbage).map((issue) => issue.path)).toEqual(["api.vip"]);
    const noCidr = { ...cluster, network: { ...cluster.network, nodeCidr: "bogus" } } as Cluster;
    expect(checkAddresses(noCidr)).toEqual([]);
    expect(checkCidrs(noCidr)).toEqual([]);
    expect(checkServiceCidrSize({ ...cluster, network: { ...cluster.network, serviceCidr: "bogus" } })).toEqual([]);
  });
});

describe("node names", () => {
  it("refuses a hostname equal to the cluster name", () => {
    expect(errorsOf((data) => (data.nodes[0].hostname = "lab"))).toEqual([
      "nodes[0].hostname: lab is a reserved name — rename the node, e.g. lab-cp-1",
    ]);
  });

  it("nodes without a MAC are not duplicates of each other", () => {
    expect(
      errorsOf((data) => {
        for (const node of data.nodes) {
          delete node.mac;
          node.interface = "enp1s0";
        }
      }),
    ).toEqual([]);
  });

  it("one control-plane node: singular wording", () => {
    expect(
      errorsOf((data) => {
        data.nodes[1].controlPlane = false;
        data.nodes[2].controlPlane = false;
      }),
    ).toEqual([
      "nodes: 1 control-plane node; an HA cluster needs at least 3 — mark at least three nodes controlPlane: true",
    ]);
  });
});

describe("networks", () => {
  it("a service network of exactly /24 and of exactly /12 is accepted; /25 and /11 are not", () => {
    expect(errorsOf((data) => (data.network.serviceCidr = "10.96.0.0/24"))).toEqual([]);
    expect(errorsOf((data) => (data.network.serviceCidr = "10.96.0.0/12"))).toEqual([]);
    expect(errorsOf((data) => (data.network.serviceCidr = "10.96.0.0/25"))).toEqual([
      "network.serviceCidr: 10.96.0.0/25 is too small for cluster services — use a /24 or larger block",
    ]);
    expect(errorsOf((data) => (data.network.serviceCidr = "10.64.0.0/11"))).toEqual([
      "network.serviceCidr: 10.64.0.0/11 is larger than the API server accepts — use a /12 or smaller block",
    ]);
  });

  it("IPv6 service networks are bounded at /108 and /120", () => {
    const base = validateCluster(parseClusterYaml(valid));
    if (!base.ok) throw new Error("fixture must be valid");
    const withService = (serviceCidr: string) =>
      checkServiceCidrSize({ ...base.cluster, network: { ...base.cluster.network, serviceCidr } }).map(
        (issue) => issue.hint,
      );
    expect(withService("fd00::/108")).toEqual([]);
    expect(withService("fd00::/120")).toEqual([]);
    expect(withService("fd00::/121")).toEqual(["use a /120 or larger block"]);
    expect(withService("fd00::/107")).toEqual(["use a /108 or smaller block"]);
  });

  it("reports each overlapping pair once, at the later network", () => {
    expect(
      errorsOf((data) => {
        data.network.podCidr = "10.96.0.0/16";
      }),
    ).toEqual([
      "network.serviceCidr: 10.96.0.0/12 overlaps network.podCidr 10.96.0.0/16 — pick non-overlapping ranges for the node, pod and service networks",
    ]);
    expect(errorsOf((data) => (data.network.podCidr = "10.1.0.0/16"))).toEqual([]);
  });
});

describe("namespaces, classes and references", () => {
  it("refuses a namespace declared twice and a built-in one", () => {
    expect(errorsOf((data) => data.namespaces.push({ name: "web" }))).toEqual([
      "namespaces[1].name: web is declared twice or is a built-in namespace — declare each namespace once, and not the built-in ones",
    ]);
    expect(errorsOf((data) => data.namespaces.push({ name: "kube-system" }))).toEqual([
      "namespaces[1].name: kube-system is declared twice or is a built-in namespace — declare each namespace once, and not the built-in ones",
    ]);
  });

  it("at most one globalDefault PriorityClass", () => {
    const pc = (name: string, globalDefault: boolean) => ({ name, value: 1000, globalDefault });
    expect(errorsOf((data) => (data.priorityClasses = [pc("a", true), pc("b", false)]))).toEqual([]);
    expect(errorsOf((data) => (data.priorityClasses = [pc("a", true), pc("b", true)]))).toEqual([
      "priorityClasses: 2 PriorityClasses are globalDefault — mark at most one globalDefault: true",
    ]);
  });

  it("one default StorageClass beside others is fine; two are not", () => {
    expect(
      errorsOf(
        (data) =>
          (data.storageClasses = [
            { name: "fast", default: true },
            { name: "slow", default: false },
          ]),
      ),
    ).toEqual([]);
    expect(
      errorsOf(
        (data) =>
          (data.storageClasses = [
            { name: "fast", default: true },
            { name: "slow", default: true },
          ]),
      ),
    ).toEqual(["storageClasses: 2 StorageClasses are marked default (fast, slow) — mark exactly one default: true"]);
  });

  it("an app may name a declared StorageClass, or none when there is a default", () => {
    const app = (storageClass?: string) => ({
      name: "blog",
      image: "ghost:5.0",
      port: 2368,
      storage: { size: "1Gi", mountPath: "/data", ...(storageClass ? { storageClass } : {}) },
    });
    expect(
      errorsOf((data) => {
        data.storageClasses = [{ name: "fast", default: true }, { name: "slow" }];
        data.apps = [app("slow")];
      }),
    ).toEqual([]);
    expect(errorsOf((data) => (data.apps = [app()]))).toEqual([]);
  });

  it("with no default StorageClass, explicitly named classes are still fine", () => {
    expect(
      errorsOf((data) => {
        data.storageClasses = [{ name: "fast" }, { name: "slow" }];
        data.monitoring = { storageClass: "fast" };
        data.apps = [
          {
            name: "blog",
            image: "ghost:5.0",
            port: 2368,
            storage: { size: "1Gi", mountPath: "/d", storageClass: "slow" },
          },
        ];
      }),
    ).toEqual([]);
  });

  it("allowFrom accepts a declared namespace, another app, a built-in and a platform namespace", () => {
    const app = (name: string, allowFrom: string[]) => ({ name, image: "ghost:5.0", port: 2368, allowFrom });
    expect(
      errorsOf(
        (data) => (data.apps = [app("blog", ["web", "shop", "kube-system", "monitoring"]), app("shop", ["blog"])]),
      ),
    ).toEqual([]);
    expect(errorsOf((data) => (data.apps = [app("blog", ["nope"])]))).toEqual([
      "apps[0].allowFrom[0]: nope is not a namespace of this cluster — name a declared namespace or app",
    ]);
  });

  it("CubeFS replicas are counted against every node when no datanodes are listed", () => {
    expect(errorsOf((data) => (data.storageClasses = [{ name: "cubefs", default: true, replicas: 4 }]))).toEqual([
      "storageClasses[0].replicas: 4 replicas need 4 CubeFS datanodes; the cluster has 3 nodes — lower replicas or add nodes",
    ]);
  });
});
