// Text for people: the plan, progress lines and the status of a state file. Pure: returns strings.
import type { RunEvent } from "./events.js";
import { GATE_DESCRIPTIONS, type GateName } from "./gates/names.js";
import { nodeImage, type UpgradePlan } from "./plan.js";
import type { UpgradeState } from "./state.js";
import { formatDuration } from "./timeouts.js";

const list = (gates: readonly GateName[]) => gates.join(", ");

export function renderPlan(plan: UpgradePlan): string {
  const lines: string[] = [`Upgrade plan for ${plan.cluster} (${plan.environment})`];
  if (plan.live.source === "simulated") {
    lines.push(
      `LIVE STATE: SIMULATED — no cluster reachable (${plan.live.reason ?? "unknown"}).`,
      `  The current versions below are assumptions, not observations: every node Ready at Talos ${plan.current.talos} / Kubernetes ${plan.current.kubernetes}.`,
    );
  } else {
    lines.push("Live state: read from the cluster (talosctl, Kubernetes API, etcd).");
  }
  lines.push(
    `Current: Talos ${plan.current.talos}, Kubernetes ${plan.current.kubernetes} (oldest node)`,
    `Target:  Talos ${plan.target.talos}, Kubernetes ${plan.target.kubernetes} (from the model)`,
  );
  if (plan.environment === "production") {
    lines.push("Promotion: a staging cluster must be recorded healthy at the target versions (or --force --reason).");
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  if (plan.steps.length === 0) {
    lines.push("", "Nothing to do: every node runs the target versions.");
    return lines.join("\n");
  }
  plan.steps.forEach((step, index) => {
    const head = `Step ${index + 1}/${plan.steps.length}:`;
    lines.push("");
    if (step.kind === "talos") {
      lines.push(`${head} Talos → ${step.to}, one node at a time`, `  image: ${step.image}`);
      step.nodes.forEach((node, position) => {
        const extras = [
          node.controlPlane ? "control plane" : "worker",
          node.note,
          node.action === "skip" ? "skip: already there" : undefined,
        ];
        lines.push(`  ${position + 1}. ${node.hostname} (${node.address}) — ${extras.filter(Boolean).join("; ")}`);
        // a node with its own schematic (extensions, overlay, secure boot) gets its own installer image
        if (nodeImage(step, node) !== step.image)
          lines.push(`     image: ${nodeImage(step, node)} (its own schematic)`);
      });
    } else {
      lines.push(
        `${head} Kubernetes ${step.from} → ${step.to} via talosctl upgrade-k8s --nodes ${step.node.address} (${step.node.hostname})`,
      );
    }
    lines.push(`  before: ${list(step.before)}`, `  after:  ${list(step.after)}`);
  });
  const used = new Set(plan.steps.flatMap((step) => [...step.before, ...step.after]));
  lines.push("", "Checks:");
  for (const gate of used) lines.push(`  ${gate}: ${GATE_DESCRIPTIONS[gate]}`);
  return lines.join("\n");
}

/** One progress line: `[  12.3s] node-2 · after · etcd-member-rejoined: waiting — …`. */
export function renderEvent(event: RunEvent, sinceStartMs: number): string | undefined {
  const clock = `[${formatDuration(sinceStartMs).padStart(7)}]`;
  switch (event.type) {
    case "plan":
      return `${clock} plan: ${event.plan.steps.length} step(s) to Talos ${event.plan.target.talos} / Kubernetes ${event.plan.target.kubernetes}`;
    case "promotion":
      return `${clock} promotion: ${event.detail}`;
    case "resume":
      return `${clock} resume: ${event.detail}`;
    case "node":
      return `${clock} ${event.node} · ${event.step} · ${event.status}: ${event.detail}${event.elapsedMs ? ` (${formatDuration(event.elapsedMs)})` : ""}`;
    case "gate": {
      const verb = event.status === "wait" ? "waiting" : event.status;
      return `${clock} ${event.node ?? "cluster"} · ${event.phase} · ${event.gate}: ${verb} — ${event.detail} (${formatDuration(event.elapsedMs)})`;
    }
    case "command":
      return event.line === undefined
        ? `${clock} ${event.node} · ${event.command}: started`
        : `${clock} ${event.node} · ${event.command} | ${event.line}`;
    case "order":
      return `${clock} ${event.step} · order: ${event.detail}`;
    case "evidence":
      return `${clock} staging evidence recorded in ${event.file}`;
    case "backup":
      return `${clock} etcd snapshot ${event.backup.file} (${event.backup.bytes} bytes, revision ${event.backup.revision}, from ${event.backup.member})\n${clock} ${event.restore}`;
  }
}

export function renderStatus(
  state: UpgradeState | undefined,
  lock: { pid: number; alive: boolean } | undefined,
  lease?: { holder?: string; renewTime?: string; expired: boolean },
): string {
  const leaseLine = lease?.holder
    ? `cluster lock: Lease kube-system/kubeforge-upgrade held by ${lease.holder}, renewed ${lease.renewTime ?? "?"}${lease.expired ? " (expired)" : ""}`
    : "cluster lock: free";
  if (!state) return `No upgrade recorded for this cluster.${lease ? `\n${leaseLine}` : ""}`;
  const running = lock?.alive
    ? `running (pid ${lock.pid})`
    : state.status === "running"
      ? "interrupted (no live process): `run` resumes"
      : state.status;
  const lines = [
    `${state.cluster} (${state.environment}) → Talos ${state.target.talos} / Kubernetes ${state.target.kubernetes}`,
    `status: ${running}; started ${state.startedAt}, updated ${state.updatedAt}`,
  ];
  if (lease) lines.push(leaseLine);
  if (state.backup) {
    lines.push(
      `etcd backup: ${state.backup.file} (${state.backup.bytes} bytes, revision ${state.backup.revision}, sha256 ${state.backup.sha256.slice(0, 16)}…, ${state.backup.at})`,
    );
  }
  if (state.force) lines.push(`forced past the promotion gate: ${state.force.reason}`);
  if (state.inFlight) {
    lines.push(
      `in flight: ${state.inFlight.node} (${state.inFlight.kind} ${state.inFlight.to}), phase ${state.inFlight.phase} since ${state.inFlight.since}`,
    );
  }
  for (const done of state.completed) {
    lines.push(`  ✓ ${done.node} ${done.kind} ${done.to}${done.skipped ? " (already there)" : ""} at ${done.at}`);
  }
  if (state.failure) {
    const where = [state.failure.node, state.failure.gate].filter(Boolean).join(" / ");
    lines.push(`failed: [${state.failure.code}] ${where ? `${where}: ` : ""}${state.failure.message}`);
  }
  return lines.join("\n");
}
