// A fake talosctl for the doctor tests that prints what the real one prints for `services` and `etcd status`,
// per version, read from siderolabs/talos cmd/talosctl/cmd/talos/{etcd,service}.go:
// - v1.12.11 / v1.13.9 (etcd.go etcdStatusCmd ~262/~266, service.go serviceList ~74): one gRPC call through
//   apid; failing nodes come back as a hashicorp multierror of `<node>: <err>` items. Some nodes answered:
//   `WARNING: <multierror>` on stderr, the table on stdout, exit 0. None answered: `error getting status:` /
//   `error listing services:` + multierror on stderr, exit 1. The etcd header is printed with the first row.
// - v1.14.0-rc.1 (etcd.go ~379–455, service.go ~87–116): one call per node; the header is printed first, the
//   rows of the nodes that answered follow, then `errors.Join` of `error from node <node>: <err>` goes to
//   stderr and the exit code is 1. etcd status flushes its tabwriter every 500 ms, so slow answers come out
//   as separately aligned blocks (`flushEachRow`: the header with the first row, then one block per row).
// Both print with text/tabwriter (minwidth 0, tabwidth 0, padding 3, ' ', flags 0).
import { writeFile } from "node:fs/promises";
import path from "node:path";

export type TalosctlVersion = "1.12" | "1.13" | "1.14";

export interface FakeEtcdMember {
  readonly member: string;
  readonly dbSize: string;
  readonly inUse: string;
  readonly inUsePercent: string;
  readonly leader: string;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly learner: boolean;
  readonly protocol: string;
  readonly storage: string;
  readonly errors: string;
}

export interface FakeService {
  readonly id: string;
  readonly state: string;
  readonly health: string;
  readonly lastChange: string;
  readonly lastEvent: string;
}

export interface FakeTalosctlScenario {
  readonly version: TalosctlVersion;
  /** Per node address: its etcd member status (control plane) and its services. */
  readonly nodes: Readonly<Record<string, { readonly etcd?: FakeEtcdMember; readonly services: FakeService[] }>>;
  /** Node address → the gRPC error talosctl reports for it. */
  readonly down?: Readonly<Record<string, string>>;
  /** 1.14 only: each `etcd status` row lands in its own tabwriter flush (answers slower than 500 ms). */
  readonly flushEachRow?: boolean;
}

export const healthyMember = (member: string, leader: string, extra: Partial<FakeEtcdMember> = {}): FakeEtcdMember => ({
  member,
  dbSize: "20 MB",
  inUse: "10 MB",
  inUsePercent: "50.00",
  leader,
  raftIndex: 100,
  raftTerm: 2,
  raftAppliedIndex: 100,
  learner: false,
  protocol: "3.6.0",
  storage: "3.6.0",
  errors: "",
  ...extra,
});

export const runningServices = (): FakeService[] => [
  { id: "apid", state: "Running", health: "OK", lastChange: "1h0m0s", lastEvent: "Health check successful" },
  { id: "kubelet", state: "Running", health: "OK", lastChange: "1h0m0s", lastEvent: "Health check successful" },
];

// The script runs as its own process, so it is plain JavaScript with the scenario baked in.
const SCRIPT = String.raw`
const scenario = JSON.parse(__SCENARIO__);
const args = process.argv.slice(2);
const nodes = args[args.indexOf("-n") + 1].split(",");
const down = scenario.down ?? {};
const v114 = scenario.version === "1.14";

// Go text/tabwriter with minwidth 0, padding 3, padchar ' ': every cell but a line's last is padded to the
// widest cell of its column in the block plus 3.
function tabwriter(lines) {
  const cells = lines.map((line) => line.split("\t"));
  const widths = [];
  for (const row of cells) row.slice(0, -1).forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length + 3); });
  return cells.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join("") + "\n").join("");
}
const multierror = (errs) =>
  errs.length === 1
    ? "1 error occurred:\n\t* " + errs[0] + "\n\n"
    : errs.length + " errors occurred:\n\t" + errs.map((e) => "* " + e).join("\n\t") + "\n\n";

const up = nodes.filter((node) => !(node in down));
const failed = nodes.filter((node) => node in down);

let header, rows;
if (args.includes("services")) {
  header = "NODE\tSERVICE\tSTATE\tHEALTH\tLAST CHANGE\tLAST EVENT";
  rows = up.flatMap((node) => scenario.nodes[node].services.map((s) =>
    [node, s.id, s.state, s.health, s.lastChange + " ago", s.lastEvent].join("\t")));
} else if (args.includes("etcd") && args.includes("status")) {
  header = "NODE\tMEMBER\tDB SIZE\tIN USE\tLEADER\tRAFT INDEX\tRAFT TERM\tRAFT APPLIED INDEX\tLEARNER\tPROTOCOL\tSTORAGE\tERRORS";
  rows = up.map((node) => {
    const m = scenario.nodes[node].etcd;
    return [node, m.member, m.dbSize, m.inUse + " (" + m.inUsePercent + "%)", m.leader, m.raftIndex, m.raftTerm,
      m.raftAppliedIndex, m.learner, m.protocol, m.storage, m.errors].join("\t");
  });
} else {
  process.stderr.write("fake talosctl: unsupported command " + args.join(" ") + "\n");
  process.exit(1);
}

if (v114) {
  // The flush timer starts stopped and is reset by each answer, so the header goes out with the first row.
  const blocks =
    scenario.flushEachRow && args.includes("etcd")
      ? [[header, ...rows.slice(0, 1)], ...rows.slice(1).map((row) => [row])]
      : [[header, ...rows]];
  process.stdout.write(blocks.map(tabwriter).join(""));
  if (failed.length > 0) {
    process.stderr.write(failed.map((node) => "error from node " + node + ": " + down[node]).join("\n") + "\n");
    process.exitCode = 1;
  }
} else {
  const errs = failed.map((node) => node + ": " + down[node]);
  if (up.length === 0) {
    const what = args.includes("services") ? "error listing services: " : "error getting status: ";
    process.stderr.write(what + multierror(errs) + "\n");
    process.exitCode = 1;
  } else {
    if (errs.length > 0) process.stderr.write("WARNING: " + multierror(errs));
    // services prints its header unconditionally; etcd status prints it with the first message.
    process.stdout.write(tabwriter([header, ...rows]));
  }
}
`;

/** Writes an executable fake talosctl playing `scenario` into `dir` and returns its path. */
export async function writeFakeTalosctl(dir: string, scenario: FakeTalosctlScenario): Promise<string> {
  const bin = path.join(dir, "talosctl");
  const body = SCRIPT.replace("__SCENARIO__", JSON.stringify(JSON.stringify(scenario)));
  await writeFile(bin, `#!/usr/bin/env node\n${body}`, { mode: 0o755 });
  return bin;
}
