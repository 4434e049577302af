// One node (or one upgrade-k8s) through its gates: check before, upgrade, wait after. Records progress.
import type { Cluster } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import type { RunEventListener } from "./events.js";
import { waitForGate } from "./gates/gate.js";
import { type GateClients, type GateSubject, makeGate } from "./gates/index.js";
import type { GateName } from "./gates/names.js";
import type { InFlight, UpgradeState } from "./state.js";
import type { Timeouts } from "./timeouts.js";

export interface StepContext {
  readonly cluster: Cluster;
  readonly clients: GateClients;
  readonly timeouts: Timeouts;
  readonly pollIntervalMs: number;
  /** Monotonic milliseconds for every timeout (injected in tests). @default performance.now */
  readonly clock?: () => number;
  readonly emit: RunEventListener;
  /** Throws when the run lost its cluster lock: called before anything is touched. */
  readonly assertLocked?: () => void;
  /** Applies a change to the state and writes it atomically. */
  readonly update: (change: (state: UpgradeState) => UpgradeState) => Promise<void>;
}

export interface GateRun {
  readonly step: string;
  readonly subject: GateSubject;
  readonly gates: readonly GateName[];
}

function withModel(context: StepContext, subject: GateSubject): GateSubject {
  return {
    ...subject,
    expectedNodes: context.cluster.nodes.map((node) => node.hostname),
    modelNodes: context.cluster.nodes.map((node) => ({ hostname: node.hostname, address: node.address })),
  };
}

/** Checks each gate once; the first failure refuses the node before anything is touched. */
export async function checkBefore(context: StepContext, run: GateRun): Promise<void> {
  context.assertLocked?.();
  for (const name of run.gates) {
    const started = Date.now();
    const result = await makeGate(name, context.clients, withModel(context, run.subject)).check();
    const node = run.subject.node?.hostname;
    const base = { type: "gate", step: run.step, gate: name, phase: "before", ...(node ? { node } : {}) } as const;
    context.emit({
      ...base,
      status: result.ok ? "pass" : "fail",
      detail: result.detail,
      elapsedMs: Date.now() - started,
    });
    if (!result.ok) {
      throw new UpgradeError("E_PRECHECK", `refused before touching ${node ?? "the cluster"}: ${result.detail}`, {
        ...(node ? { node } : {}),
        gate: name,
        hint: "fix the cluster's health first; nothing was changed",
      });
    }
  }
}

/** Waits for each gate in turn, each with its own timeout; a timeout stops the run naming node and gate. */
export async function waitAfter(context: StepContext, run: GateRun & { phase?: "after" | "final" }): Promise<void> {
  const node = run.subject.node?.hostname;
  const phase = run.phase ?? "after";
  for (const name of run.gates) {
    const base = { type: "gate", step: run.step, gate: name, phase, ...(node ? { node } : {}) } as const;
    const result = await waitForGate(makeGate(name, context.clients, withModel(context, run.subject)), {
      timeoutMs: context.timeouts[name],
      intervalMs: context.pollIntervalMs,
      onWait: (wait, elapsedMs) => context.emit({ ...base, status: "wait", detail: wait.detail, elapsedMs }),
    });
    context.emit({ ...base, status: result.ok ? "pass" : "fail", detail: result.detail, elapsedMs: result.elapsedMs });
    if (!result.ok) {
      const what = node ? `${node} did not come back healthy` : "the cluster did not settle";
      throw new UpgradeError("E_POSTCHECK", `${what} within ${context.timeouts[name] / 1000}s: ${result.detail}`, {
        ...(node ? { node } : {}),
        gate: name,
        hint: "investigate before re-running; `run` resumes from this node after re-checking it",
      });
    }
  }
}

export function markInFlight(context: StepContext, inFlight: Omit<InFlight, "since">): Promise<void> {
  return context.update((state) => ({ ...state, inFlight: { ...inFlight, since: new Date().toISOString() } }));
}

/** Adds facts to the node in flight (its talosctl process) without changing its phase. */
export function noteInFlight(context: StepContext, extra: Pick<InFlight, "process">): Promise<void> {
  return context.update((state) => (state.inFlight ? { ...state, inFlight: { ...state.inFlight, ...extra } } : state));
}

export function markCompleted(
  context: StepContext,
  done: { kind: "talos" | "kubernetes"; to: string; node: string; skipped: boolean },
): Promise<void> {
  return context.update((state) => {
    const { inFlight: _done, ...rest } = state;
    return { ...rest, completed: [...state.completed, { ...done, at: new Date().toISOString() }] };
  });
}

/** Runs a talosctl command, forwarding its output lines as progress. */
export async function runCommand(
  context: StepContext,
  node: string,
  command: string,
  action: (onLine: (line: string) => void) => Promise<void>,
): Promise<void> {
  context.assertLocked?.();
  const started = Date.now();
  context.emit({ type: "command", node, command, elapsedMs: 0 });
  try {
    await action((line) => context.emit({ type: "command", node, command, line, elapsedMs: Date.now() - started }));
  } catch (error) {
    if (error instanceof UpgradeError) {
      throw new UpgradeError("E_UPGRADE", error.message, {
        node,
        gate: command,
        hint: error.hint ?? "look at `talosctl dmesg` / `talosctl logs` for the node",
        cause: error,
      });
    }
    throw error;
  }
}
