// kubeforge-upgrade: the only place in this package that prints or exits.
import { parseArgs } from "node:util";
import { describeArgsError, isVersionRequest, versionLine } from "@kubeforge/cli-kit";
import type { ConfigError } from "@kubeforge/config";
import { UPGRADE_OPTIONS } from "./cli-options.js";
import { type Flags, UsageError } from "./commands/flags.js";
import { formatUpgradeError, UpgradeError, type UpgradeErrorCode } from "./errors.js";

export const USAGE = `Usage: kubeforge-upgrade <plan|run|status> [<cluster> | --cluster <file|folder|name>] [options]

Rolling Talos and Kubernetes upgrades, one node at a time, staging before production.

Commands:
  plan     print the ordered steps (version path, node order, checks) for the model's target versions;
           with no reachable cluster the live state is SIMULATED and labelled so
  run      upgrade: gates before each node, talosctl upgrade, gates after; resumes an interrupted run
  status   show where the last or current run stands

Options:
  --cluster <file|name>      cluster.ts / cluster.yaml, a folder holding one, or a name under clusters/ (e.g. homelab)
  --talosconfig <file>       talosconfig for talosctl            --talosctl <path>  talosctl binary
  --kubeconfig <file>        kubeconfig (else $KUBECONFIG, ~/.kube/config; never localhost:8080)
  --kube-context <name>      context inside the kubeconfig
  --etcd-endpoints <urls>    comma-separated etcd client URLs [default: https://<control plane>:2379]
  --etcd-ca, --etcd-cert, --etcd-key <file>
                             PEM client credentials issued from the cluster's etcd CA
  --state-dir <dir>          state, lock, backups and staging evidence
                             [default: $XDG_STATE_HOME/kubeforge/upgrade, else ~/.local/state/kubeforge/upgrade]
  --evidence <file>          accept this staging evidence file (repeatable) [default: all in <state-dir>/evidence]
  --evidence-key <file>      Ed25519 key (PEM) that signs (staging) and verifies (production) evidence
                             [default: <state-dir>/evidence-signing.key, created 0600 by the first staging run]
  --evidence-max-age <dur>   oldest staging evidence production accepts [default: 14d]
  --retry-node <host>        upgrade again a node that rolled back, once you know why
  --releases <file>          JSON release table replacing the built-in one
  --timeout [<gate>=]<dur>   timeout of the gates after an upgrade (all, or one gate; repeatable), e.g. 10m
                             talosctl's own: upgrade= (30m), drain= (5m), image-pull= (10m), upgrade-k8s= (60m)
  --poll <dur>               poll interval of waiting gates [default: 5s]
  --dry-run                  plan and check the first node's gates; change nothing
  --force --reason <text>    production without staging evidence; the reason is recorded
  --assume-talos <v>, --assume-kubernetes <v>
                             versions of the simulated live state (plan only) [default: previous minor]
  --json                     JSON (plan, status) or JSON lines (run)
  -h, --help                 show this help
  -v, --version              print the version

Exit codes:
  0  success (or nothing to do)
  1  invalid cluster definition, or no valid upgrade path
  2  usage error
  3  refused before touching anything (also: the etcd backup failed)
  4  stopped after touching a node (talosctl failed, a gate after the upgrade timed out, or the node rolled back)
  5  production refused by the promotion gate
  6  cluster unreachable (talosctl, Kubernetes API or etcd) or unusable state file
  70 internal error`;

const EXIT: Record<UpgradeErrorCode, number> = {
  E_PLAN: 1,
  E_RELEASE_UNKNOWN: 1,
  E_PRECHECK: 3,
  E_LOCKED: 3,
  E_UPGRADE: 4,
  E_POSTCHECK: 4,
  E_ROLLBACK: 4,
  E_BACKUP: 3,
  E_PROMOTION: 5,
  E_CONNECT: 6,
  E_STATE: 6,
};

const OPTIONS = UPGRADE_OPTIONS;

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

// grpc-js (under etcd3) sets the TLS ServerName to the endpoint IP, which makes Node print DEP0123 for every
// etcd dial; etcd endpoints are IPs on a homelab, so the line is noise. Every other warning still prints.
process.removeAllListeners("warning");
process.on("warning", (warning: Error & { code?: string }) => {
  if (warning.code !== "DEP0123") process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const io = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};

async function main(argv: string[]): Promise<number> {
  if (isVersionRequest(argv)) {
    process.stdout.write(versionLine("kubeforge-upgrade", new URL("../package.json", import.meta.url)));
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(describeArgsError(error, OPTIONS, "kubeforge-upgrade"));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [command, named, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(" ")}`);
  // `plan mine` as `plan --cluster mine` (kubeforge build takes the cluster as an argument too)
  if (named !== undefined && values.cluster !== undefined && values.cluster !== named)
    throw new UsageError(`the cluster is given twice: ${named} and --cluster ${values.cluster}`);
  const flags = (named === undefined ? values : { ...values, cluster: named }) as Flags;
  switch (command) {
    // Commands load the Kubernetes, etcd and Talos clients lazily so `--help` and usage errors stay fast.
    case "plan":
      return (await import("./commands/plan.js")).planCommand(flags, io);
    case "run":
      return (await import("./commands/run.js")).runCommand(flags, io);
    case "status":
      return (await import("./commands/status.js")).statusCommand(flags, io);
    case undefined:
      throw new UsageError("a command is required");
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

/**
 * With `--json` every error is also one JSON object on stdout (`run`: a JSON line like its events; `plan`,
 * `status`: the document they print), so scripts never parse prose; people still get the message on stderr.
 */
function jsonError(argv: readonly string[], error: unknown): boolean {
  if (!argv.includes("--json")) return false;
  const base =
    error instanceof UpgradeError
      ? { code: error.code, node: error.node, gate: error.gate, message: error.message, hint: error.hint }
      : error instanceof UsageError
        ? { code: "E_USAGE", message: error.message }
        : (error as ConfigError | undefined)?.name === "ConfigError"
          ? { code: (error as ConfigError).code, message: (error as ConfigError).message }
          : { code: "E_INTERNAL", message: error instanceof Error ? error.message : String(error) };
  io.out(JSON.stringify({ type: "error", ...base }));
  io.err(
    `error: ${error instanceof UpgradeError ? formatUpgradeError(error) : error instanceof Error ? error.message : String(error)}`,
  );
  return true;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (jsonError(argv, error)) {
      if (error instanceof UsageError) process.exit(2);
      if ((error as ConfigError | undefined)?.name === "ConfigError") process.exit(1);
      if (error instanceof UpgradeError) process.exit(EXIT[error.code]);
      process.exit(70);
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    // Matched by name: importing @kubeforge/config here would load yaml and ajv for every `--help`.
    if ((error as ConfigError | undefined)?.name === "ConfigError") {
      io.err(`error: ${(error as ConfigError).message}`);
      process.exit(1);
    }
    if (error instanceof UpgradeError) {
      io.err(`error: ${formatUpgradeError(error)}`);
      process.exit(EXIT[error.code]);
    }
    io.err(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(70);
  },
);
