// `kubeforge-upgrade plan`: the ordered steps, from the live cluster or a clearly labelled simulation.
import type { LiveState } from "../live-state.js";
import { simulateLiveState } from "../live-state.js";
import { observeLiveState } from "../observe.js";
import { planUpgrade, previousRelease } from "../plan.js";
import { renderPlan } from "../render.js";
import { type Connection, connect, loadDefinition, loadReleases } from "./connect.js";
import { type Flags, parseEndpoints, parsePoll, parseTimeouts, requireCluster, UsageError } from "./flags.js";

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export async function planCommand(flags: Flags, io: Output): Promise<number> {
  // the flags `run` would refuse are refused here too: a plan that accepts `--timeout banana` promises a run that fails
  parseTimeouts(flags.timeout);
  parsePoll(flags.poll);
  parseEndpoints(flags["etcd-endpoints"]);
  const { cluster, file, warnings } = await loadDefinition(requireCluster(flags));
  for (const warning of warnings) io.err(`warning: ${warning}`);
  const releases = await loadReleases(flags.releases);
  let live: LiveState;
  let connection: Connection | undefined;
  try {
    connection = await connect(cluster, file, flags);
    live = await observeLiveState(cluster, { ...connection.clients, callTimeoutMs: 10_000 });
  } catch (error) {
    // a mistake on the command line is the user's to fix, not a reason to show a simulated plan
    if (error instanceof UsageError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    live = simulateLiveState({
      cluster,
      reason,
      talosVersion:
        flags["assume-talos"] ??
        previousRelease(
          releases.talos.map((release) => release.version),
          cluster.talos.version,
        ) ??
        cluster.talos.version,
      kubernetesVersion:
        flags["assume-kubernetes"] ??
        previousRelease(releases.kubernetes, cluster.kubernetes.version) ??
        cluster.kubernetes.version,
    });
  } finally {
    await connection?.dispose();
  }
  const plan = planUpgrade({ cluster, live, releases });
  io.out(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
  return 0;
}
