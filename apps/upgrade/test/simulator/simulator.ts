// The cluster simulator: real etcd (TLS, our PKI), an in-process fake Kubernetes API and a fake talosctl
// on PATH whose `upgrade` takes the node's etcd member and kubelet down for a while, then brings both
// back at the new version. Like talosctl, the fake takes one of two paths: the legacy one (node or client
// before 1.13: one call, Talos drains and uncordons itself) or the LifecycleService one (both 1.13+): pull,
// install, drain (cordon + evict, --drain-timeout), reboot (--timeout) and uncordon (--timeout) as separate
// phases that talosctl drives, so a talosctl stopped halfway leaves the node cordoned.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Cluster, validateCluster } from "@kubeforge/config";
import { createKubeClient, createTalosctl, type GateClients, inspectEtcd } from "../../src/index.js";
import { type EtcdCluster, startEtcdCluster } from "./etcd-cluster.js";
import { type FakeKube, type SimNode, type SimPod, startFakeKube } from "./fake-kube.js";
import { createPki } from "./pki.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface SimulatorOptions {
  readonly name?: string;
  readonly environment?: "staging" | "production";
  /** Talos every node runs at start. @default v1.12.11 */
  readonly talos?: string;
  /** Talos the model targets. @default v1.13.9 */
  readonly targetTalos?: string;
  /** kubelet every node runs at start. @default v1.35.2 */
  readonly kubelet?: string;
  /** Kubernetes the model targets. @default v1.35.2 */
  readonly targetKubernetes?: string;
  /** How long an upgraded node stays down. @default 1200 */
  readonly downMs?: number;
  /** The n-th node `talosctl upgrade` is called for (1-based) never comes back. */
  readonly neverReturnNth?: number;
  /**
   * How long a node stays Ready and schedulable after the upgrade call (image pull; Talos drains late), with its
   * machine stage already `upgrading`. @default 0
   */
  readonly drainMs?: number;
  /** The n-th upgraded node (1-based) boots back into its old version (a Talos rollback after a failed boot). */
  readonly rollbackNth?: number;
  /** The n-th upgraded node (1-based) stays in its drain window (Ready, stage upgrading) until releaseDrain(). */
  readonly holdDrainNth?: number;
  /** LifecycleService path: how long the installer image pull takes (talosctl has no deadline for it). @default 0 */
  readonly pullMs?: number;
  /** LifecycleService path: how long evicting the node's pods takes (talosctl's --drain-timeout applies). @default 0 */
  readonly evictMs?: number;
  /** Apply pullMs and evictMs to the n-th upgraded node only (1-based); every node when unset. */
  readonly slowNth?: number;
  /** How long a rebooting node stays reachable in machine stage "shutting down" before it goes down. @default 0 */
  readonly shutdownMs?: number;
  /** The fake talosctl's client tag (`talosctl version --client`): below v1.13 it has no --drain flags. @default v1.13.9 */
  readonly talosctlTag?: string;
  /** Per-node schematic additions in the model (`nodes[].schematic`), by hostname. */
  readonly nodeSchematics?: Record<string, Record<string, unknown>>;
}

export interface Simulator {
  readonly dir: string;
  readonly cluster: Cluster;
  /** The definition written as cluster.json, for CLI runs. */
  readonly clusterFile: string;
  readonly kubeconfig: string;
  readonly etcd: EtcdCluster;
  readonly kube: FakeKube;
  readonly nodes: SimNode[];
  readonly pods: SimPod[];
  /** Hostnames in the order `talosctl upgrade` was called for them. */
  readonly upgrades: string[];
  /** The `--image` talosctl upgrade was given, by hostname (the last call's). */
  readonly upgradeImages: Record<string, string>;
  /** Hostnames talosctl uncordoned after the reboot (LifecycleService path). */
  readonly uncordons: string[];
  /** Hostnames whose etcd member was restarted after being stopped by an upgrade. */
  readonly etcdRestarts: string[];
  /** When each upgraded node came back (Date.now()), for the bench. */
  readonly restoredAt: Map<string, number>;
  /** The most nodes that were down (rebooting) at the same time: must never exceed 1. */
  readonly peakDown: () => number;
  /** Lets a held drain (holdDrainNth) go on: the node reboots. */
  releaseDrain(): void;
  /** Environment that puts the fake talosctl first on PATH. */
  readonly env: Record<string, string>;
  readonly clients: GateClients;
  /** Flags for `kubeforge-upgrade run|status` against this simulator. */
  cliArgs(stateDir: string): string[];
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const dir = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-sim-"));
  const names = ["sim-1", "sim-2", "sim-3"];
  const definition = {
    name: options.name ?? "sim",
    environment: options.environment ?? "staging",
    talos: { version: options.targetTalos ?? "v1.13.9" },
    kubernetes: { version: options.targetKubernetes ?? "v1.35.2" },
    network: { nodeCidr: "10.5.0.0/24", gateway: "10.5.0.1", nameservers: ["10.5.0.1"] },
    api: { vip: "10.5.0.100" },
    nodes: names.map((hostname, index) => ({
      hostname,
      address: `10.5.0.${11 + index}`,
      interface: "enp1s0",
      ...(options.nodeSchematics?.[hostname] ? { schematic: options.nodeSchematics[hostname] } : {}),
    })),
    oidc: { issuerUrl: "https://auth.sim.local", clientId: "kubernetes" },
    flux: { url: "ssh://git@github.com/homelab/kubeforge.git" },
    sops: { ageRecipients: ["age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8"] },
  };
  const validated = validateCluster(definition);
  if (!validated.ok) throw new Error(`simulator definition invalid: ${JSON.stringify(validated.errors)}`);
  const cluster = validated.cluster;
  const clusterFile = path.join(dir, "cluster.json");
  writeFileSync(clusterFile, JSON.stringify(definition, null, 2));

  const pki = await createPki(names);
  const etcd = await startEtcdCluster({ dir, names, pki });
  const credentialFiles = {
    ca: path.join(dir, "client-ca.crt"),
    cert: path.join(dir, "client.crt"),
    key: path.join(dir, "client.key"),
  };
  writeFileSync(credentialFiles.ca, pki.client.ca);
  writeFileSync(credentialFiles.cert, pki.client.cert);
  writeFileSync(credentialFiles.key, pki.client.key, { mode: 0o600 });

  const nodes: SimNode[] = cluster.nodes.map((node) => ({
    hostname: node.hostname,
    address: node.address,
    talos: options.talos ?? "v1.12.11",
    kubelet: options.kubelet ?? "v1.35.2",
    ready: true,
    unschedulable: false,
    up: true,
    stage: "running",
    bootId: `${node.hostname}-boot-0`,
  }));
  let peak = 0;
  const held: (() => void)[] = [];
  const countDown = () => {
    peak = Math.max(peak, nodes.filter((node) => !node.up || node.stage !== "running").length);
  };
  const pods: SimPod[] = nodes.flatMap((node) => [
    { namespace: "kube-system", name: `kube-proxy-${node.hostname}`, node: node.hostname, phase: "Running" },
    { namespace: "apps", name: `web-${node.hostname}`, node: node.hostname, phase: "Running" },
  ]);
  const upgrades: string[] = [];
  const upgradeImages: Record<string, string> = {};
  const etcdRestarts: string[] = [];
  const restoredAt = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void | Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void action();
    }, ms);
    timers.add(timer);
  };
  const downMs = options.downMs ?? 1200;
  const uncordons: string[] = [];
  // Per node in the upgrade: its order (nth), target tag and previous version.
  const inUpgrade = new Map<string, { nth: number; tag: string; previous: string }>();
  const begin = (address: string, image: string) => {
    const node = nodes.find((candidate) => candidate.address === address);
    if (!node) return undefined;
    upgrades.push(node.hostname);
    upgradeImages[node.hostname] = image;
    const nth = upgrades.length;
    inUpgrade.set(address, { nth, tag: /:([^:/]+)$/.exec(image)?.[1] ?? node.talos, previous: node.talos });
    return { node, nth };
  };
  const current = (address: string) => {
    const node = nodes.find((candidate) => candidate.address === address);
    const entry = inUpgrade.get(address);
    return node && entry ? { node, nth: entry.nth } : undefined;
  };
  /** "shutting down" (still reachable) for shutdownMs, then down; back at the new version after downMs. */
  const reboot = (node: SimNode, nth: number, how: { uncordon: boolean }) => {
    const index = nodes.indexOf(node);
    const entry = inUpgrade.get(node.address);
    const goDown = () => {
      node.unschedulable = true;
      node.ready = false;
      node.up = false;
      node.stage = "rebooting";
      countDown();
      for (const pod of pods) if (pod.node === node.hostname) pod.phase = "Pending";
      const stopped = etcd.stop(index);
      if (options.neverReturnNth === nth) return;
      later(downMs, async () => {
        await stopped;
        etcd.start(index);
        etcdRestarts.push(node.hostname);
        node.talos = options.rollbackNth === nth ? (entry?.previous ?? node.talos) : (entry?.tag ?? node.talos);
        node.bootId = `${node.hostname}-boot-${nth}`;
        node.up = true;
        node.ready = true;
        if (how.uncordon) node.unschedulable = false;
        node.stage = "running";
        node.pulled = undefined;
        node.evicted = undefined;
        for (const pod of pods) if (pod.node === node.hostname) pod.phase = "Running";
        restoredAt.set(node.hostname, Date.now());
      });
    };
    if (options.shutdownMs) {
      node.stage = "shutting down";
      countDown();
      later(options.shutdownMs, goDown);
    } else goDown();
  };
  const kube = await startFakeKube(
    { nodes, pods },
    {
      upgrade(address, image) {
        const found = begin(address, image);
        if (!found) return;
        const { node, nth } = found;
        node.stage = "upgrading";
        countDown();
        // Legacy path: image pull while still Ready; then Talos drains and reboots (the member and the kubelet
        // go away together) and uncordons the node itself once it is back.
        const drain = () => reboot(node, nth, { uncordon: true });
        if (options.holdDrainNth === nth) held.push(drain);
        else later(options.drainMs ?? 0, drain);
      },
      lifecycle(address, phase, image) {
        const found = phase === "pull" ? begin(address, image) : current(address);
        if (!found) return;
        const { node, nth } = found;
        const slow = options.slowNth === undefined || options.slowNth === nth;
        if (phase === "pull") {
          later(slow ? (options.pullMs ?? 0) : 0, () => {
            node.pulled = image;
          });
        }
        if (phase === "install") {
          node.stage = "upgrading";
          countDown();
        }
        if (phase === "cordon") node.unschedulable = true;
        if (phase === "evict") {
          later(slow ? (options.evictMs ?? 0) : 0, () => {
            for (const pod of pods) if (pod.node === node.hostname) pod.phase = "Pending";
            node.evicted = true;
          });
        }
        // talosctl cordoned the node and uncordons it itself after the reboot: Talos leaves it cordoned.
        if (phase === "reboot") reboot(node, nth, { uncordon: false });
        if (phase === "uncordon") {
          node.unschedulable = false;
          uncordons.push(node.hostname);
        }
      },
      upgradeKubernetes(to) {
        nodes.forEach((node, index) => {
          later(150 * (index + 1), () => {
            node.kubelet = to;
          });
        });
      },
    },
    pki.apiServer,
  );

  const binDir = path.join(dir, "bin");
  mkdirSync(binDir);
  copyFileSync(path.join(here, "talosctl.mjs"), path.join(binDir, "talosctl"));
  chmodSync(path.join(binDir, "talosctl"), 0o755);
  // The fake talosctl trusts the simulator's CA to reach the control routes over TLS.
  const caFile = path.join(dir, "sim-ca.crt");
  writeFileSync(caFile, pki.ca);
  const env = {
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    KUBEFORGE_SIM_URL: kube.url,
    KUBEFORGE_SIM_TALOSCTL_TAG: options.talosctlTag ?? "v1.13.9",
    NODE_EXTRA_CA_CERTS: caFile,
  };

  const talosconfig = path.join(dir, "talosconfig");
  writeFileSync(talosconfig, "context: sim\ncontexts: {}\n");
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "sim",
          cluster: { server: kube.url, "certificate-authority-data": Buffer.from(pki.ca).toString("base64") },
        },
      ],
      users: [{ name: "sim", user: { token: "simulator" } }],
      contexts: [{ name: "sim", context: { cluster: "sim", user: "sim" } }],
      "current-context": "sim",
    }),
  );

  const clients: GateClients = {
    talosctl: createTalosctl({ env }),
    kube: createKubeClient({ kubeconfig }),
    etcd: { endpoints: etcd.endpoints, credentials: pki.client, callTimeoutMs: 1500 },
    callTimeoutMs: 5000,
  };

  const simulator: Simulator = {
    dir,
    cluster,
    clusterFile,
    kubeconfig,
    etcd,
    kube,
    nodes,
    pods,
    upgrades,
    upgradeImages,
    uncordons,
    etcdRestarts,
    restoredAt,
    peakDown: () => peak,
    releaseDrain() {
      for (const drain of held.splice(0)) drain();
    },
    env,
    clients,
    cliArgs: (stateDir) => [
      "--cluster",
      clusterFile,
      "--kubeconfig",
      kubeconfig,
      "--etcd-endpoints",
      etcd.endpoints.join(","),
      "--etcd-ca",
      credentialFiles.ca,
      "--etcd-cert",
      credentialFiles.cert,
      "--etcd-key",
      credentialFiles.key,
      "--state-dir",
      stateDir,
      // The fake talosctl ignores it; passing one keeps the CLI from deriving it from a secrets bundle.
      "--talosconfig",
      talosconfig,
    ],
    async waitHealthy(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let last = "";
      while (Date.now() < deadline) {
        try {
          const snapshot = await inspectEtcd(clients.etcd);
          if (snapshot.members.length === names.length && snapshot.members.every((member) => member.healthy)) return;
          last = snapshot.members.map((member) => `${member.name}: ${member.problem ?? "ok"}`).join(", ");
        } catch (error) {
          last = (error as Error).message;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`simulated etcd did not become healthy: ${last}`);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await etcd.stopAll();
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return simulator;
}
