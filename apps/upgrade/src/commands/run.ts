// `kubeforge-upgrade run`: the rolling upgrade with progress lines (or JSON lines with --json).
import { renderEvent, renderPlan } from "../render.js";
import { runUpgrade } from "../run.js";
import { parseDuration } from "../timeouts.js";
import { connect, loadDefinition, loadReleases } from "./connect.js";
import { type Flags, parsePoll, parseTimeouts, requireCluster, statePaths, UsageError } from "./flags.js";
import type { Output } from "./plan.js";

export async function runCommand(flags: Flags, io: Output): Promise<number> {
  if (flags.force && !flags.reason?.trim()) throw new UsageError("--force needs --reason '<why staging is skipped>'");
  if (flags.reason && !flags.force) throw new UsageError("--reason only goes with --force");
  const timeouts = parseTimeouts(flags.timeout);
  const pollIntervalMs = parsePoll(flags.poll);
  const maxAge = flags["evidence-max-age"] === undefined ? undefined : parseDuration(flags["evidence-max-age"]);
  if (flags["evidence-max-age"] !== undefined && !maxAge) {
    throw new UsageError(`--evidence-max-age ${flags["evidence-max-age"]} is not a duration like 14d or 72h`);
  }
  const { cluster, file, warnings } = await loadDefinition(requireCluster(flags));
  for (const warning of warnings) io.err(`warning: ${warning}`);
  const releases = await loadReleases(flags.releases);
  const connection = await connect(cluster, file, flags);
  const clients = connection.clients;
  const { stateFile, evidenceDir } = statePaths(flags, cluster.name);
  const started = Date.now();
  const result = await runUpgrade({
    cluster,
    clients,
    stateFile,
    evidenceDir,
    releases,
    timeouts,
    ...(pollIntervalMs ? { pollIntervalMs } : {}),
    ...(flags.evidence ? { evidenceFiles: flags.evidence } : {}),
    ...(flags["dry-run"] ? { dryRun: true } : {}),
    ...(flags["retry-node"] ? { retryNode: flags["retry-node"] } : {}),
    ...(flags["evidence-key"] ? { evidenceKey: flags["evidence-key"] } : {}),
    ...(maxAge ? { evidenceMaxAgeMs: maxAge } : {}),
    ...(flags.force ? { force: { reason: flags.reason ?? "" } } : {}),
    onEvent: (event) => {
      if (flags.json) {
        io.out(JSON.stringify({ ...event, at: new Date().toISOString() }));
        return;
      }
      if (event.type === "plan" && flags["dry-run"]) io.out(renderPlan(event.plan));
      const line = renderEvent(event, Date.now() - started);
      if (line) io.out(line);
    },
  }).finally(() => connection.dispose());
  if (flags.json) {
    io.out(JSON.stringify({ type: "result", ...result, plan: undefined }));
  } else {
    const verb = result.dryRun
      ? "dry run finished: nothing changed"
      : `done: upgraded ${result.upgraded.length}, skipped ${result.skipped.length}`;
    io.out(`${verb}${result.resumed ? ` (resumed from ${result.resumed})` : ""}`);
  }
  return 0;
}
