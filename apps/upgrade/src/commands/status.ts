// `kubeforge-upgrade status`: where the last or current run stands, from the state file and the cluster lock.
import { createKubeClient } from "../gates/nodes.js";
import { readClusterLock } from "../lock/cluster-lease.js";
import { renderStatus } from "../render.js";
import { readLock, readState } from "../state.js";
import { loadDefinition } from "./connect.js";
import { type Flags, requireCluster, statePaths } from "./flags.js";
import type { Output } from "./plan.js";

/** The cluster Lease, best effort: status works without cluster access too. */
async function clusterLock(flags: Flags) {
  try {
    const kube = createKubeClient({
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags["kube-context"] ? { context: flags["kube-context"] } : {}),
      timeoutMs: 5000,
    });
    return await readClusterLock(kube);
  } catch {
    return undefined;
  }
}

export async function statusCommand(flags: Flags, io: Output): Promise<number> {
  const { cluster } = await loadDefinition(requireCluster(flags));
  const { stateFile } = statePaths(flags, cluster.name);
  const state = await readState(stateFile);
  const lock = await readLock(`${stateFile}.lock`);
  const lease = await clusterLock(flags);
  if (flags.json) {
    io.out(
      JSON.stringify({ stateFile, state: state ?? null, lock: lock ?? null, clusterLock: lease ?? null }, null, 2),
    );
  } else io.out(`${renderStatus(state, lock, lease)}\n(state file: ${stateFile})`);
  return 0;
}
