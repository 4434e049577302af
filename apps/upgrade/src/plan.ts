// Pure planning: from the model's targets and the live state to an ordered list of upgrade steps.
import {
  type Cluster,
  checkKubernetesVersion,
  compareMinors,
  compareVersions,
  formatVersion,
  installerImage,
  minorLine,
  mustParseVersion,
  parseVersion,
  RELEASES,
  type ReleaseTable,
  type TalosRelease,
  talosRelease,
  type Version,
} from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import {
  type GateName,
  KUBERNETES_GATES_AFTER,
  KUBERNETES_GATES_BEFORE,
  TALOS_GATES_AFTER,
  TALOS_GATES_BEFORE,
} from "./gates/names.js";
import type { LiveState } from "./live-state.js";

export interface PlanNode {
  readonly hostname: string;
  readonly address: string;
  readonly controlPlane: boolean;
  /** `skip` when the node already runs this step's version or newer. */
  readonly action: "upgrade" | "skip";
  /** Why it sits where it does in the order, e.g. "etcd leader: last". */
  readonly note?: string;
  /**
   * Talos steps: this node's installer image, built from the cluster's schematic plus the node's own
   * (`nodes[].schematic`: extensions, kernel arguments, overlay, secure boot), as in its machine config.
   * Upgrading a node with another node's image drops its extensions or overlay (NIC firmware, an SBC's boot
   * overlay): it may not come back. Plans written before this field use the step's `image`.
   */
  readonly image?: string;
}

export interface TalosStep {
  readonly kind: "talos";
  readonly to: string;
  /** The installer image of a node without schematic additions; each node's own is `nodes[].image`. */
  readonly image: string;
  readonly nodes: readonly PlanNode[];
  readonly before: readonly GateName[];
  readonly after: readonly GateName[];
}

export interface KubernetesStep {
  readonly kind: "kubernetes";
  readonly from: string;
  readonly to: string;
  /** The control-plane node `talosctl upgrade-k8s` is sent to. */
  readonly node: PlanNode;
  readonly before: readonly GateName[];
  readonly after: readonly GateName[];
}

export type PlanStep = TalosStep | KubernetesStep;

export interface UpgradePlan {
  readonly cluster: string;
  readonly environment: "staging" | "production";
  readonly current: { readonly talos: string; readonly kubernetes: string };
  readonly target: { readonly talos: string; readonly kubernetes: string };
  readonly live: { readonly source: LiveState["source"]; readonly reason?: string };
  readonly steps: readonly PlanStep[];
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  readonly cluster: Cluster;
  readonly live: LiveState;
  /** @default DEFAULT_RELEASES */
  readonly releases?: ReleaseTable;
}

/**
 * Installer image for a Talos version: the model's image with its tag replaced, else @kubeforge/config's
 * factory image for the node's schematic (the cluster's when no node is given).
 */
export function installerImageFor(cluster: Cluster, version: string, hostname?: string): string {
  const node = hostname === undefined ? undefined : cluster.nodes.find((n) => n.hostname === hostname);
  return installerImage(cluster, { version, ...(node ? { node } : {}) });
}

/** The installer image `talosctl upgrade --image` gets for `node` in `step` (a plan without per-node images: the step's). */
export function nodeImage(step: TalosStep, node: PlanNode): string {
  return node.image ?? step.image;
}

function oldest(versions: readonly string[], what: string): Version {
  const parsed = versions.map((text) => {
    const version = parseVersion(text);
    if (!version) throw new UpgradeError("E_PLAN", `a node reports ${what} "${text}", which is not a version`);
    return version;
  });
  const [first, ...rest] = parsed;
  if (!first) throw new UpgradeError("E_PLAN", "the live state lists no nodes");
  return rest.reduce((min, version) => (compareVersions(version, min) < 0 ? version : min), first);
}

/** Stops from `from` to `to`: the current line's newest patch, each intermediate line's newest patch, the target. */
export function versionPath(options: {
  from: Version;
  to: Version;
  known: readonly string[];
  what: "Talos" | "Kubernetes";
}): Version[] {
  const { from, to, known, what } = options;
  const order = compareVersions(to, from);
  if (order < 0) {
    throw new UpgradeError("E_PLAN", `${what} ${formatVersion(to)} is older than the running ${formatVersion(from)}`, {
      hint: "downgrades are not supported: roll back with talosctl rollback, or raise the version in the model",
    });
  }
  if (order === 0) return [];
  if (compareMinors(from, to) === 0) return [to];
  const byMinor = new Map(known.map((text) => [minorLine(mustParseVersion(text)), mustParseVersion(text)]));
  const stops: Version[] = [];
  const current = byMinor.get(minorLine(from));
  if (!current) {
    throw new UpgradeError(
      "E_RELEASE_UNKNOWN",
      `the release table has no ${what} ${minorLine(from)}.x line: the running ${formatVersion(from)} cannot be walked up from`,
      { hint: "refresh the release table in @kubeforge/config, or pass one with --releases <file.json>" },
    );
  }
  // The newest patch of the running line comes first (Talos tests minor upgrades from the newest patch).
  if (compareVersions(current, from) > 0) stops.push(current);
  for (let minor = from.minor + 1; minor < to.minor; minor += 1) {
    const line = `${from.major}.${minor}`;
    const stop = byMinor.get(line);
    if (!stop) {
      throw new UpgradeError("E_RELEASE_UNKNOWN", `the release table has no ${what} ${line}.x release to stop at`, {
        hint: "add the newest patch of that line with --releases <file.json>",
      });
    }
    stops.push(stop);
  }
  stops.push(to);
  return stops;
}

function talosLine(releases: ReleaseTable, version: Version): TalosRelease | undefined {
  return talosRelease(formatVersion(version), releases);
}

/** Talos and Kubernetes targets must be lines the table knows, and the Kubernetes target inside the Talos line's range. */
function checkTargets(cluster: Cluster, releases: ReleaseTable): void {
  const target = mustParseVersion(cluster.talos.version);
  if (!talosLine(releases, target)) {
    throw new UpgradeError(
      "E_RELEASE_UNKNOWN",
      `talos.version: Talos ${minorLine(target)} is not in the release table, so its Kubernetes range and upgrade path are unknown`,
      { hint: "refresh the release table in @kubeforge/config, or pass one with --releases <file.json>" },
    );
  }
  const check = checkKubernetesVersion(cluster.kubernetes.version, cluster.talos.version, { table: releases });
  const [issue] = check.errors;
  if (issue) throw new UpgradeError("E_PLAN", `${issue.path}: ${issue.message}`, { hint: issue.hint });
}

function minorOf(text: string): Version {
  return mustParseVersion(`${text}.0`);
}

/** Control-plane nodes before workers, in model order, with the etcd leader / VIP holder last. */
function orderNodes(cluster: Cluster, live: LiveState, to: Version | undefined): PlanNode[] {
  const rank = (hostname: string) => (hostname === live.etcdLeader || hostname === live.vipHolder ? 1 : 0);
  const sorted = [...cluster.nodes].sort(
    (a, b) => rank(a.hostname) - rank(b.hostname) || Number(b.controlPlane) - Number(a.controlPlane),
  );
  return sorted.map((node) => {
    const running = live.nodes.find((candidate) => candidate.hostname === node.hostname);
    const version = running ? parseVersion(running.talosVersion) : undefined;
    const done = to !== undefined && version !== undefined && compareVersions(version, to) >= 0;
    const roles = [
      node.hostname === live.etcdLeader ? "etcd leader" : undefined,
      node.hostname === live.vipHolder ? "VIP holder" : undefined,
    ].filter(Boolean);
    return {
      hostname: node.hostname,
      address: node.address,
      controlPlane: node.controlPlane,
      action: done ? "skip" : "upgrade",
      ...(roles.length > 0 ? { note: `${roles.join(", ")}: last` } : {}),
    };
  });
}

/**
 * Moves the etcd leader and the VIP holder to the end of a step's nodes, keeping everyone else in place.
 * The run calls this before each Talos step with the leaders seen *then*: upgrading the last node of one step
 * hands etcd leadership and the VIP to another node, which must in turn go last in the next step.
 */
export function reorderForLeaders(
  nodes: readonly PlanNode[],
  leaders: { readonly etcdLeader?: string; readonly vipHolder?: string },
): PlanNode[] {
  const leads = (node: PlanNode) => node.hostname === leaders.etcdLeader || node.hostname === leaders.vipHolder;
  return [...nodes.filter((node) => !leads(node)), ...nodes.filter(leads)].map((node) => {
    const roles = [
      node.hostname === leaders.etcdLeader ? "etcd leader" : undefined,
      node.hostname === leaders.vipHolder ? "VIP holder" : undefined,
    ].filter(Boolean);
    const { note: _old, ...rest } = node;
    return roles.length > 0 ? { ...rest, note: `${roles.join(", ")}: last` } : rest;
  });
}

/** The ordered steps that take the live cluster to the model's Talos and Kubernetes versions. */
export function planUpgrade(options: PlanOptions): UpgradePlan {
  const { cluster, live } = options;
  const releases = options.releases ?? RELEASES;
  const warnings: string[] = [];
  checkTargets(cluster, releases);
  const targetTalos = mustParseVersion(cluster.talos.version);
  const targetKube = mustParseVersion(cluster.kubernetes.version);
  const fromTalos = oldest(
    live.nodes.map((node) => node.talosVersion),
    "Talos",
  );
  const fromKube = oldest(
    live.nodes.map((node) => node.kubeletVersion),
    "kubelet",
  );
  const talosStops = versionPath({
    from: fromTalos,
    to: targetTalos,
    known: releases.talos.map((release) => release.version),
    what: "Talos",
  });
  const kubeStops = versionPath({ from: fromKube, to: targetKube, known: releases.kubernetes, what: "Kubernetes" });

  const steps: PlanStep[] = [];
  let talos = fromTalos;
  let kube = fromKube;
  const pushKube = (to: Version) => {
    const line = talosLine(releases, talos);
    if (line && compareMinors(to, minorOf(line.kubernetes.max)) > 0) {
      throw new UpgradeError(
        "E_PLAN",
        `Kubernetes ${formatVersion(to)} is not supported by Talos ${formatVersion(talos)} (supports ${line.kubernetes.min}–${line.kubernetes.max})`,
        { hint: "raise talos.version in the model, or lower kubernetes.version" },
      );
    }
    const node = orderNodes(cluster, live, undefined).find((candidate) => candidate.controlPlane);
    if (!node) throw new UpgradeError("E_PLAN", "the model has no control-plane node to run upgrade-k8s against");
    steps.push({
      kind: "kubernetes",
      from: formatVersion(kube),
      to: formatVersion(to),
      node: { ...node, action: "upgrade" },
      before: KUBERNETES_GATES_BEFORE,
      after: KUBERNETES_GATES_AFTER,
    });
    kube = to;
  };

  for (const stop of talosStops) {
    const line = talosLine(releases, stop);
    if (!line) {
      throw new UpgradeError(
        "E_RELEASE_UNKNOWN",
        `Talos ${minorLine(stop)} is not in the release table: its Kubernetes range and upgrade path are unknown`,
        { hint: "refresh the release table in @kubeforge/config, or pass one with --releases <file.json>" },
      );
    }
    if (compareMinors(talos, minorOf(line.upgradeFrom)) < 0) {
      throw new UpgradeError(
        "E_PLAN",
        `Talos ${formatVersion(stop)} upgrades only from ${line.upgradeFrom} or newer, but the cluster runs ${formatVersion(talos)}`,
        { hint: "upgrade through the lines in between first (the release table lists them)" },
      );
    }
    while (compareMinors(kube, minorOf(line.kubernetes.min)) < 0) {
      const next = kubeStops.shift();
      if (!next) {
        throw new UpgradeError(
          "E_PLAN",
          `Talos ${formatVersion(stop)} needs Kubernetes ≥ ${line.kubernetes.min}, but the model targets ${formatVersion(targetKube)}`,
          { hint: "raise kubernetes.version in the model" },
        );
      }
      pushKube(next);
    }
    steps.push({
      kind: "talos",
      to: formatVersion(stop),
      image: installerImageFor(cluster, formatVersion(stop)),
      nodes: orderNodes(cluster, live, stop).map((node) => ({
        ...node,
        image: installerImageFor(cluster, formatVersion(stop), node.hostname),
      })),
      before: TALOS_GATES_BEFORE,
      after: TALOS_GATES_AFTER,
    });
    talos = stop;
  }
  for (const stop of kubeStops) pushKube(stop);

  return {
    cluster: cluster.name,
    environment: cluster.environment,
    current: { talos: formatVersion(fromTalos), kubernetes: formatVersion(fromKube) },
    target: { talos: formatVersion(targetTalos), kubernetes: formatVersion(targetKube) },
    live: { source: live.source, ...(live.reason ? { reason: live.reason } : {}) },
    steps,
    warnings,
  };
}

/** The newest listed patch of the line before `version`'s (for a simulated "one minor behind" state). */
export function previousRelease(known: readonly string[], version: string): string | undefined {
  const target = mustParseVersion(version);
  return known
    .map((text) => mustParseVersion(text))
    .filter((candidate) => compareMinors(candidate, target) < 0)
    .sort(compareVersions)
    .map(formatVersion)
    .at(-1);
}
