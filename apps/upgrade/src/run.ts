// The rolling upgrade: plan from the live cluster, then one node at a time through its gates.

import path from "node:path";
import type { Cluster, ReleaseTable } from "@kubeforge/config";
import { formatVersion, mustParseVersion, sameVersion } from "@kubeforge/config";
import { type BackupRecord, backupEtcd, restoreInstructions } from "./backup.js";
import { UpgradeError } from "./errors.js";
import type { RunEventListener } from "./events.js";
import type { GateClients } from "./gates/index.js";
import type { GateName } from "./gates/names.js";
import { acquireClusterLock, type ClusterLock, newLockIdentity } from "./lock/cluster-lease.js";
import { acquireLocalLock, type LocalLock } from "./lock/local-lock.js";
import { type Outcome, upgradeKubernetes, upgradeTalosNode } from "./node-upgrade.js";
import { observeLeaders, observeLiveState } from "./observe.js";
import { nodeImage, type PlanNode, planUpgrade, reorderForLeaders, type TalosStep, type UpgradePlan } from "./plan.js";
import { promote, recordStagingEvidence } from "./promotion.js";
import { recheckInFlight } from "./resume.js";
import { readState, type UpgradeState, writeState } from "./state.js";
import { checkBefore, type StepContext, waitAfter } from "./steps.js";
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUTS, type Timeouts } from "./timeouts.js";

export interface RunOptions {
  readonly cluster: Cluster;
  readonly clients: GateClients;
  /** Resume state; a `.lock` file beside it keeps two runs apart. */
  readonly stateFile: string;
  /** Where staging runs record evidence and production runs look for it. */
  readonly evidenceDir: string;
  /** Evidence files to accept instead of every file in evidenceDir. */
  readonly evidenceFiles?: readonly string[];
  /** Ed25519 key (PKCS#8 PEM) that signs staging evidence and verifies it for production. @default <evidenceDir>/../evidence-signing.key */
  readonly evidenceKey?: string;
  /** Oldest evidence a production run accepts. @default 14 days */
  readonly evidenceMaxAgeMs?: number;
  readonly releases?: ReleaseTable;
  readonly timeouts?: Partial<Timeouts>;
  /** @default 5000 */
  readonly pollIntervalMs?: number;
  /** Plan and check the first node's gates; change nothing, write nothing. */
  readonly dryRun?: boolean;
  /** Skip the promotion gate (production without staging evidence); the reason is recorded. */
  readonly force?: { readonly reason: string };
  readonly onEvent?: RunEventListener;
  /** A node that rolled back may be upgraded again only when named here (the user looked into it). */
  readonly retryNode?: string;
  /** Monotonic milliseconds for every timeout (tests inject a clock). @default performance.now */
  readonly clock?: () => number;
  /** Where the etcd snapshot goes. @default <state file's folder>/<cluster>.backups */
  readonly backupDir?: string;
  /** How long the etcd snapshot may take. @default 300000 */
  readonly backupTimeoutMs?: number;
  /** Duration of the cluster lock (a Lease in kube-system); it is renewed every third of it. @default 60 */
  readonly leaseSeconds?: number;
}

export interface RunResult {
  readonly plan: UpgradePlan;
  readonly upgraded: readonly string[];
  readonly skipped: readonly string[];
  readonly resumed?: string;
  readonly evidence?: string;
  readonly backup?: BackupRecord;
  readonly dryRun: boolean;
}

const FINAL_GATES: readonly GateName[] = ["kube-nodes-ready", "etcd-members-healthy", "etcd-no-alarms", "pods-healthy"];

/** Records an UpgradeError as the run's failure in the state file, then rethrows it. */
async function guardFailure<T>(context: StepContext, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UpgradeError) {
      const failure = {
        code: error.code,
        message: error.message,
        ...(error.node ? { node: error.node } : {}),
        ...(error.gate ? { gate: error.gate } : {}),
        at: new Date().toISOString(),
      };
      await context.update((current) => ({ ...current, status: "failed", failure }));
    }
    throw error;
  }
}

function freshState(cluster: Cluster, target: UpgradeState["target"]): UpgradeState {
  const now = new Date().toISOString();
  return {
    version: 1,
    cluster: cluster.name,
    environment: cluster.environment,
    target,
    status: "running",
    startedAt: now,
    updatedAt: now,
    completed: [],
  };
}

/** The step's nodes with whoever leads *now* (etcd leader, VIP holder) last; says so when that differs from the plan. */
async function orderStepNodes(
  context: StepContext,
  step: TalosStep,
  first: string | undefined,
): Promise<readonly PlanNode[]> {
  const leaders = await observeLeaders(context.clients);
  const led = reorderForLeaders(step.nodes, leaders);
  // The node an interrupted run was upgrading goes first whatever the leaders say: nothing else is touched
  // until it has rebooted and passed its after gates.
  const resumed = led.find((node) => node.hostname === first && node.action === "upgrade");
  const nodes = resumed
    ? [{ ...resumed, note: "in flight when the last run stopped: first" }, ...led.filter((node) => node !== resumed)]
    : led;
  const names = nodes.map((node) => node.hostname);
  const planned = step.nodes.map((node) => node.hostname);
  const leading = nodes.filter((node) => node.note).map((node) => `${node.hostname} (${node.note})`);
  context.emit({
    type: "order",
    step: `talos ${step.to}`,
    nodes: names,
    detail: `${names.join(" → ")}${leading.length > 0 ? `; ${leading.join(", ")}` : "; leaders unknown, plan order kept"}${names.join() === planned.join() ? "" : ` (plan said ${planned.join(" → ")}: leadership moved)`}`,
  });
  return nodes;
}

async function dryRun(context: StepContext, plan: UpgradePlan): Promise<RunResult> {
  for (const step of plan.steps) {
    const label = step.kind === "talos" ? `talos ${step.to}` : `kubernetes ${step.to}`;
    const nodes = step.kind === "talos" ? step.nodes : [step.node];
    for (const node of nodes) {
      const detail =
        node.action === "skip"
          ? "already there"
          : `would run ${step.kind === "talos" ? `talosctl upgrade --image ${nodeImage(step, node)}` : "talosctl upgrade-k8s"}`;
      context.emit({
        type: "node",
        step: label,
        node: node.hostname,
        status: node.action === "skip" ? "skip" : "would-upgrade",
        detail,
        elapsedMs: 0,
      });
    }
  }
  const first = plan.steps[0];
  const firstNode = first?.kind === "talos" ? first.nodes.find((node) => node.action === "upgrade") : first?.node;
  if (first && firstNode) {
    const subject = first.kind === "talos" ? { node: firstNode, talos: first.to } : { kubernetes: first.to };
    await checkBefore(context, { step: `dry-run ${first.kind} ${first.to}`, subject, gates: first.before });
  }
  return { plan, upgraded: [], skipped: [], dryRun: true };
}

/** Before the first change: an etcd snapshot, checked and recorded; a failure stops the run with nothing touched. */
async function takeBackup(
  options: RunOptions,
  context: StepContext,
  plan: UpgradePlan,
  existing: BackupRecord | undefined,
): Promise<void> {
  const changes = plan.steps.some(
    (step) => step.kind === "kubernetes" || step.nodes.some((node) => node.action === "upgrade"),
  );
  // A resumed run keeps the snapshot taken before its first change.
  if (!changes || existing) return;
  context.assertLocked?.();
  const backup = await backupEtcd({
    connection: options.clients.etcd,
    dir: options.backupDir ?? path.join(path.dirname(options.stateFile), `${options.cluster.name}.backups`),
    cluster: options.cluster.name,
    ...(options.backupTimeoutMs ? { timeoutMs: options.backupTimeoutMs } : {}),
  });
  await context.update((current) => ({ ...current, backup }));
  const address = options.cluster.nodes.find((node) => node.controlPlane)?.address ?? "<control-plane IP>";
  context.emit({ type: "backup", backup, restore: restoreInstructions(backup, address) });
}

/** A node that rolled back stops every later run until the user names it with retryNode. */
function refuseAfterRollback(state: UpgradeState, retryNode: string | undefined): void {
  const failure = state.failure;
  if (failure?.code !== "E_ROLLBACK" || !failure.node || failure.node === retryNode) return;
  throw new UpgradeError(
    "E_ROLLBACK",
    `${failure.node} rolled back to its old Talos version in the last run (${failure.at}): ${failure.message}`,
    {
      node: failure.node,
      gate: "talos-version",
      hint: `find out why the new version did not boot, then run again with --retry-node ${failure.node}`,
    },
  );
}

export async function runUpgrade(options: RunOptions): Promise<RunResult> {
  const emit = options.onEvent ?? (() => {});
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let local: LocalLock | undefined;
  let lock: ClusterLock | undefined;
  if (!options.dryRun) {
    const identity = newLockIdentity();
    // The local lock first: it proves whether an earlier run on this host is dead, whose Lease we may then take.
    local = await acquireLocalLock(`${options.stateFile}.lock`, { identity });
    try {
      lock = await acquireClusterLock({
        kube: options.clients.kube,
        identity,
        ...(local.tookOver?.identity ? { takeOverFrom: local.tookOver.identity } : {}),
        ...(options.leaseSeconds ? { durationSeconds: options.leaseSeconds } : {}),
      });
    } catch (error) {
      await local.release();
      throw error;
    }
  }
  const release = async () => {
    await lock?.release();
    await local?.release();
  };
  try {
    const previous = await readState(options.stateFile);
    const target = {
      talos: formatVersion(mustParseVersion(options.cluster.talos.version)),
      kubernetes: formatVersion(mustParseVersion(options.cluster.kubernetes.version)),
    };
    let state: UpgradeState =
      previous && previous.status !== "done" && previous.cluster === options.cluster.name
        ? previous
        : freshState(options.cluster, target);
    if (!sameVersion(state.target.talos, target.talos) || !sameVersion(state.target.kubernetes, target.kubernetes)) {
      throw new UpgradeError(
        "E_STATE",
        `${options.stateFile} is an unfinished upgrade to Talos ${state.target.talos} / Kubernetes ${state.target.kubernetes}, but the model now targets ${target.talos} / ${target.kubernetes}`,
        { hint: "restore the model's versions to finish it, or delete the state file to start over" },
      );
    }
    refuseAfterRollback(state, options.retryNode);
    let writing: Promise<void> = Promise.resolve();
    const context: StepContext = {
      cluster: options.cluster,
      clients: options.clients,
      timeouts,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      emit,
      assertLocked: () => lock?.assertHeld(),
      ...(options.clock ? { clock: options.clock } : {}),
      // Writes are chained: a state written later never lands before one written earlier.
      update: (change) => {
        state = change(state);
        if (options.dryRun) return Promise.resolve();
        const snapshot = state;
        writing = writing.then(() => writeState(options.stateFile, snapshot));
        return writing;
      },
    };
    const outcome: Outcome = { upgraded: [], skipped: [] };
    const inFlight = options.dryRun ? undefined : state.inFlight;
    let first = inFlight?.node;
    const plan = await guardFailure(context, async () => {
      // A node in flight may still be rebooting: settle it before reading versions for the plan.
      const retrying = inFlight?.node === options.retryNode && previous?.failure?.code === "E_ROLLBACK";
      if (inFlight && inFlight.phase !== "before" && !retrying) {
        first = (await recheckInFlight(context, inFlight, outcome)).redo;
      }
      let live: Awaited<ReturnType<typeof observeLiveState>>;
      try {
        live = await observeLiveState(options.cluster, options.clients);
      } catch (error) {
        if (error instanceof UpgradeError && error.code === "E_PRECHECK") throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new UpgradeError("E_CONNECT", `cannot read the live cluster: ${message}`, { cause: error });
      }
      return planUpgrade({
        cluster: options.cluster,
        live,
        ...(options.releases ? { releases: options.releases } : {}),
      });
    });
    emit({ type: "plan", plan });
    await promote(options, plan, emit);
    if (options.dryRun) return await dryRun(context, plan);

    await context.update((current) => {
      const { failure: _previous, ...rest } = current;
      const force = options.force ? { force: { reason: options.force.reason, at: new Date().toISOString() } } : {};
      return { ...rest, status: "running", ...force };
    });
    await guardFailure(context, async () => {
      await takeBackup(options, context, plan, state.backup);
      for (const step of plan.steps) {
        if (step.kind === "kubernetes") await upgradeKubernetes(context, step, outcome);
        else {
          for (const node of await orderStepNodes(context, step, first)) {
            await upgradeTalosNode(context, step, node, outcome);
          }
          first = undefined;
        }
      }
      await waitAfter(context, { step: "final", subject: {}, gates: FINAL_GATES, phase: "final" });
    });
    let evidence: string | undefined;
    if (options.cluster.environment === "staging") {
      evidence = await recordStagingEvidence(options, plan, FINAL_GATES);
      emit({ type: "evidence", file: evidence });
    }
    await context.update((current) => {
      const { inFlight: _gone, ...done } = current;
      return { ...done, status: "done" };
    });
    return {
      plan,
      upgraded: outcome.upgraded,
      skipped: outcome.skipped,
      ...(inFlight && inFlight.phase !== "before" ? { resumed: inFlight.node } : {}),
      ...(evidence ? { evidence } : {}),
      ...(state.backup ? { backup: state.backup } : {}),
      dryRun: false,
    };
  } finally {
    await release();
  }
}
