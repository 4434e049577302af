// The talosctl process a run started, recorded in the state file so a resumed run (after kill -9) can wait
// for it or stop it instead of starting a second upgrade of the same node.
import { readFileSync } from "node:fs";
import { pidAlive } from "@kubeforge/cli-kit";

export interface ProcessRecord {
  readonly pid: number;
  /** talosctl runs in its own process group (detached), so the group can be stopped as a whole. */
  readonly pgid: number;
  /** Kernel start time (clock ticks since boot, /proc/<pid>/stat field 22): tells a reused pid apart. */
  readonly startTicks?: string;
  readonly startedAt: string;
}

/** Start time of a process from /proc (Linux); undefined elsewhere or when it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19];
  } catch {
    return undefined;
  }
}

export function recordProcess(pid: number): ProcessRecord {
  const startTicks = processStartTicks(pid);
  return { pid, pgid: pid, ...(startTicks ? { startTicks } : {}), startedAt: new Date().toISOString() };
}

/** Whether the recorded process still runs (same pid and, where known, the same start time). */
export function processAlive(record: ProcessRecord): boolean {
  if (!pidAlive(record.pid)) return false;
  if (record.startTicks === undefined) return true;
  return processStartTicks(record.pid) === record.startTicks;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits up to `timeoutMs` (monotonic) for an orphaned talosctl to finish; then stops its process group
 * (SIGTERM, then SIGKILL). Returns what happened.
 */
export async function settleOrphan(
  record: ProcessRecord,
  options: { timeoutMs: number; pollMs?: number; now?: () => number },
): Promise<"gone" | "exited" | "stopped"> {
  if (!processAlive(record)) return "gone";
  const now = options.now ?? (() => performance.now());
  const start = now();
  while (now() - start < options.timeoutMs) {
    await sleep(options.pollMs ?? 250);
    if (!processAlive(record)) return "exited";
  }
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-record.pgid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  for (let waited = 0; waited < 5000 && processAlive(record); waited += 100) await sleep(100);
  if (processAlive(record)) signal("SIGKILL");
  return "stopped";
}
