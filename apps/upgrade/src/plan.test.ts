import { RELEASES as DEFAULT_RELEASES, installerImage, mustParseVersion, validateCluster } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { UpgradeError } from "./errors.js";
import { type LiveState, simulateLiveState } from "./live-state.js";
import {
  installerImageFor,
  type PlanNode,
  planUpgrade,
  previousRelease,
  reorderForLeaders,
  versionPath,
} from "./plan.js";
import { renderPlan } from "./render.js";

function cluster(
  overrides: {
    talos?: string;
    kubernetes?: string;
    installerImage?: string;
    workers?: boolean;
    /** Schematic additions of cp-3. */
    cp3Schematic?: Record<string, unknown>;
  } = {},
) {
  const result = validateCluster({
    name: "lab",
    environment: "staging",
    talos: {
      version: overrides.talos ?? "v1.13.9",
      ...(overrides.installerImage ? { installerImage: overrides.installerImage } : {}),
    },
    kubernetes: { version: overrides.kubernetes ?? "v1.35.2" },
    network: { nodeCidr: "10.0.0.0/24", gateway: "10.0.0.1", nameservers: ["10.0.0.1"] },
    api: { vip: "10.0.0.100" },
    nodes: [
      { hostname: "cp-1", address: "10.0.0.11", interface: "enp1s0" },
      { hostname: "cp-2", address: "10.0.0.12", interface: "enp1s0" },
      {
        hostname: "cp-3",
        address: "10.0.0.13",
        interface: "enp1s0",
        ...(overrides.cp3Schematic ? { schematic: overrides.cp3Schematic } : {}),
      },
      ...(overrides.workers
        ? [{ hostname: "w-1", address: "10.0.0.21", interface: "enp1s0", controlPlane: false }]
        : []),
    ],
    oidc: { issuerUrl: "https://auth.lab", clientId: "kubernetes" },
    flux: { url: "ssh://git@example.com/lab.git" },
    sops: { ageRecipients: ["age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8"] },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.cluster;
}

function live(model: ReturnType<typeof cluster>, talos: string, kubelet: string, leader = "cp-2"): LiveState {
  return {
    ...simulateLiveState({ cluster: model, reason: "test", talosVersion: talos, kubernetesVersion: kubelet }),
    etcdLeader: leader,
    vipHolder: leader,
  };
}

const v = mustParseVersion;

describe("versionPath", () => {
  const known = DEFAULT_RELEASES.talos.map((release) => release.version);
  it("stops at the newest patch of the current line and of every intermediate line", () => {
    const stops = versionPath({ from: v("v1.11.2"), to: v("v1.13.9"), known, what: "Talos" });
    expect(stops.map((stop) => `${stop.minor}.${stop.patch}`)).toEqual(["11.6", "12.11", "13.9"]);
  });
  it("goes straight to a patch in the same line, and does nothing at the target", () => {
    expect(versionPath({ from: v("v1.13.2"), to: v("v1.13.9"), known, what: "Talos" })).toEqual([v("v1.13.9")]);
    expect(versionPath({ from: v("v1.13.9"), to: v("v1.13.9"), known, what: "Talos" })).toEqual([]);
  });
  it("refuses a downgrade with a hint", () => {
    expect(() => versionPath({ from: v("v1.13.9"), to: v("v1.12.11"), known, what: "Talos" })).toThrow(
      /older than the running v1.13.9/,
    );
  });
  it("names a missing intermediate line", () => {
    try {
      versionPath({ from: v("v1.11.0"), to: v("v1.13.9"), known: ["v1.11.6", "v1.13.9"], what: "Talos" });
      throw new Error("expected a throw");
    } catch (error) {
      expect(error).toBeInstanceOf(UpgradeError);
      expect((error as UpgradeError).code).toBe("E_RELEASE_UNKNOWN");
      expect((error as UpgradeError).message).toContain("Talos 1.12.x");
    }
  });
});

describe("planUpgrade", () => {
  it("orders control planes first with the etcd leader / VIP holder last, and lists the gates", () => {
    const model = cluster({ workers: true });
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.12.11", "v1.35.2") });
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0];
    if (step?.kind !== "talos") throw new Error("expected a Talos step");
    expect(step.nodes.map((node) => node.hostname)).toEqual(["cp-1", "cp-3", "w-1", "cp-2"]);
    expect(step.nodes.at(-1)?.note).toBe("etcd leader, VIP holder: last");
    expect(step.image).toBe(
      "factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.9",
    );
    expect(step.before).toContain("etcd-quorum-without-node");
    expect(step.before).toContain("pods-healthy");
    expect(step.after).toEqual([
      "talos-version",
      "kube-node-ready",
      "etcd-member-rejoined",
      "etcd-members-healthy",
      "pods-healthy",
    ]);
  });

  it("marks nodes already at the step's version as skip (a partly upgraded cluster)", () => {
    const model = cluster();
    const state = live(model, "v1.12.11", "v1.35.2");
    const partial: LiveState = {
      ...state,
      nodes: state.nodes.map((node, index) => (index === 0 ? { ...node, talosVersion: "v1.13.9" } : node)),
    };
    const step = planUpgrade({ cluster: model, live: partial }).steps[0];
    expect(step?.kind === "talos" && step.nodes.map((node) => `${node.hostname}:${node.action}`)).toEqual([
      "cp-1:skip",
      "cp-3:upgrade",
      "cp-2:upgrade",
    ]);
  });

  it("interleaves Kubernetes upgrades where a Talos line needs a newer Kubernetes", () => {
    const model = cluster({ talos: "v1.13.9", kubernetes: "v1.35.2" });
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.11.6", "v1.29.4") });
    // Talos 1.12 needs ≥ 1.30 and 1.13 needs ≥ 1.31: Kubernetes moves up just before each Talos line that needs it.
    expect(plan.steps.map((step) => `${step.kind} ${step.to}`)).toEqual([
      "kubernetes v1.29.15",
      "kubernetes v1.30.14",
      "talos v1.12.11",
      "kubernetes v1.31.14",
      "talos v1.13.9",
      "kubernetes v1.32.10",
      "kubernetes v1.33.6",
      "kubernetes v1.34.8",
      "kubernetes v1.35.2",
    ]);
  });

  it("refuses a Kubernetes target the target Talos line does not support", () => {
    // The model check already refuses v1.36 on Talos 1.12; the planner refuses it for a model built by hand.
    const model = { ...cluster({ talos: "v1.12.11", kubernetes: "v1.35.2" }), kubernetes: { version: "v1.36.1" } };
    expect(() => planUpgrade({ cluster: model, live: live(model, "v1.12.11", "v1.35.2") })).toThrow(
      /not supported by Talos v1.12.11/,
    );
  });

  it("refuses Talos 1.14 with Kubernetes 1.31 (1.14 runs 1.32–1.37): an error, not a warning", () => {
    const model = {
      ...cluster({ talos: "v1.13.9", kubernetes: "v1.31.14" }),
      talos: { ...cluster().talos, version: "v1.14.0" },
    };
    const error = (() => {
      try {
        planUpgrade({ cluster: model, live: live(model, "v1.13.9", "v1.31.14") });
      } catch (caught) {
        return caught as UpgradeError;
      }
      throw new Error("expected a throw");
    })();
    expect(error.code).toBe("E_PLAN");
    expect(error.message).toContain("1.32–1.37");
  });

  it("refuses a Talos line missing from the table", () => {
    const model = cluster({ talos: "v1.13.9" });
    const table = {
      ...DEFAULT_RELEASES,
      talos: DEFAULT_RELEASES.talos.filter((row) => !row.version.startsWith("v1.12")),
    };
    expect(() => planUpgrade({ cluster: model, live: live(model, "v1.11.6", "v1.35.2"), releases: table })).toThrow(
      /Talos 1.12.x/,
    );
  });

  it("stops at the newest patch of the running minor first", () => {
    const model = cluster({ talos: "v1.13.9" });
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.12.3", "v1.35.2") });
    expect(plan.steps.map((step) => `${step.kind} ${step.to}`)).toEqual(["talos v1.12.11", "talos v1.13.9"]);
  });

  it("enforces upgradeFrom", () => {
    const model = cluster({ talos: "v1.13.9" });
    const table = {
      ...DEFAULT_RELEASES,
      talos: DEFAULT_RELEASES.talos.map((row) => (row.version === "v1.13.9" ? { ...row, upgradeFrom: "1.13" } : row)),
    };
    expect(() => planUpgrade({ cluster: model, live: live(model, "v1.12.11", "v1.35.2"), releases: table })).toThrow(
      /upgrades only from 1.13/,
    );
  });

  it("takes the installer image from @kubeforge/config (metal-installer from 1.14)", () => {
    const model = cluster();
    expect(installerImageFor(model, "v1.14.0")).toMatch(/^factory\.talos\.dev\/metal-installer\/[0-9a-f]+:v1\.14\.0$/);
    expect(installerImageFor(model, "v1.13.9")).toMatch(/^factory\.talos\.dev\/installer\//);
  });

  it("puts upgrade-k8s on a control-plane node that is not the leader", () => {
    const model = cluster({ kubernetes: "v1.35.2" });
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.13.9", "v1.34.8", "cp-1") });
    expect(plan.steps).toEqual([
      expect.objectContaining({
        kind: "kubernetes",
        from: "v1.34.8",
        to: "v1.35.2",
        node: expect.objectContaining({ hostname: "cp-2" }),
      }),
    ]);
  });

  it("gives a node with its own schematic its own installer image, as its machine config has", () => {
    // cp-3 needs a NIC firmware extension, and boots with secure boot: the cluster's image would drop both
    const model = cluster({ cp3Schematic: { extensions: ["siderolabs/bnx2-bnx2x"], secureBoot: true } });
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.12.11", "v1.35.2") });
    const step = plan.steps[0];
    if (step?.kind !== "talos") throw new Error("expected a Talos step");
    const images = Object.fromEntries(step.nodes.map((node) => [node.hostname, node.image]));
    const own = (hostname: string) =>
      installerImage(model, { node: model.nodes.find((node) => node.hostname === hostname), version: "v1.13.9" });
    expect(images).toEqual({ "cp-1": own("cp-1"), "cp-2": own("cp-2"), "cp-3": own("cp-3") });
    expect(images["cp-1"]).toBe(step.image);
    expect(images["cp-3"]).not.toBe(step.image);
    expect(images["cp-3"]).toMatch(/^factory\.talos\.dev\/installer-secureboot\/[0-9a-f]{64}:v1\.13\.9$/);
    // `upgrade plan` shows the image under the node that has its own
    const text = renderPlan(plan).split("\n");
    const line = text.findIndex((l) => l.includes("cp-3 (10.0.0.13)"));
    expect(text[line + 1]).toBe(`     image: ${images["cp-3"]} (its own schematic)`);
    expect(text.filter((l) => l.includes("(its own schematic)"))).toHaveLength(1);
    // the leaders' reordering before each step keeps every node's image
    const reordered = reorderForLeaders(step.nodes, { etcdLeader: "cp-3" });
    expect(reordered.at(-1)).toEqual(expect.objectContaining({ hostname: "cp-3", image: images["cp-3"] }));
  });

  it("keeps the model's installer image and only swaps its tag", () => {
    const model = cluster({ installerImage: "ghcr.io/me/installer:v1.13.9" });
    expect(installerImageFor(model, "v1.12.11")).toBe("ghcr.io/me/installer:v1.12.11");
  });

  it("says where the live state came from", () => {
    const model = cluster();
    const plan = planUpgrade({ cluster: model, live: live(model, "v1.12.11", "v1.35.2") });
    expect(plan.live).toEqual({ source: "simulated", reason: "test" });
  });
});

describe("reorderForLeaders", () => {
  const node = (hostname: string, note?: string): PlanNode => ({
    hostname,
    address: hostname,
    controlPlane: true,
    action: "upgrade",
    ...(note ? { note } : {}),
  });

  it("moves today's etcd leader and VIP holder last and drops the plan's stale notes", () => {
    const nodes = [node("cp-1"), node("cp-3"), node("cp-2", "etcd leader, VIP holder: last")];
    expect(reorderForLeaders(nodes, { etcdLeader: "cp-1", vipHolder: "cp-3" })).toEqual([
      node("cp-2"),
      node("cp-1", "etcd leader: last"),
      node("cp-3", "VIP holder: last"),
    ]);
    expect(reorderForLeaders(nodes, {}).map((entry) => entry.hostname)).toEqual(["cp-1", "cp-3", "cp-2"]);
  });
});

describe("previousRelease", () => {
  it("is the newest patch of the previous line", () => {
    expect(previousRelease(DEFAULT_RELEASES.kubernetes, "v1.35.2")).toBe("v1.34.8");
    expect(previousRelease(["v1.13.9"], "v1.13.1")).toBeUndefined();
  });
});
