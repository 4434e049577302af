// `kubeforge-upgrade status`: where the last or current run stands, read from the state file.
import { renderStatus } from "../render.js";
import { readLock, readState } from "../state.js";
import { loadDefinition } from "./connect.js";
import { type Flags, requireCluster, statePaths } from "./flags.js";
import type { Output } from "./plan.js";

export async function statusCommand(flags: Flags, io: Output): Promise<number> {
  const { cluster } = await loadDefinition(requireCluster(flags));
  const { stateFile } = statePaths(flags, cluster.name);
  const state = await readState(stateFile);
  const lock = await readLock(`${stateFile}.lock`);
  if (flags.json) io.out(JSON.stringify({ stateFile, state: state ?? null, lock: lock ?? null }, null, 2));
  else io.out(`${renderStatus(state, lock)}\n(state file: ${stateFile})`);
  return 0;
}
