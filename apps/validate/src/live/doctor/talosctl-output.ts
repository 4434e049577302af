// What a multi-node talosctl call printed, split per node. talosctl answers for every node it reached even
// when others fail, and the failures look different per version (siderolabs/talos
// cmd/talosctl/cmd/talos/etcd.go, service.go):
// - 1.12/1.13: a failing node is a multierror on stderr, `WARNING: 1 error occurred:\n\t* <node>: <reason>`,
//   the healthy rows on stdout and exit 0; when every node fails, `error getting status: …` with the same
//   `* <node>: <reason>` list and exit 1.
// - 1.14: each failing node is a line `error from node <node>: <reason>` on stderr, printed after the healthy
//   rows, and the exit code is 1.
// So stdout is always read, a node is judged by its own rows, and the exit code alone never blames a node.
// Hand-written: talosctl has no machine-readable output for these commands and no parser exists for tabwriter
// tables.

/** Start offsets of a table line's cells: talosctl's tabwriter pads cells with at least 3 spaces. */
function cellStarts(line: string): number[] {
  const starts: number[] = [];
  const pattern = /(?:^|\s{2,})(\S)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    starts.push(match.index + match[0].length - 1);
  }
  return starts;
}

/**
 * Rows of a talosctl table, keyed by its upper-case header names. A row aligned with the header (one
 * tabwriter block) is cut at the header's column offsets, so an empty cell in the middle stays empty; a row
 * flushed in a later block (talosctl 1.14 flushes every 500 ms) is split on runs of 2+ spaces.
 */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((line) => line.trim());
  const [header, ...rows] = lines;
  if (!header) return [];
  const names = header.trim().split(/\s{2,}/);
  const starts = cellStarts(header);
  return rows.map((row) => {
    const aligned = starts.length === names.length && cellStarts(row).every((start) => starts.includes(start));
    const cells = aligned
      ? starts.map((start, index) => row.slice(start, starts[index + 1]).trim())
      : row.trim().split(/\s{2,}/);
    return Object.fromEntries(names.map((name, index) => [name, cells[index] ?? ""]));
  });
}

/**
 * Per-node failure reasons talosctl wrote to stderr: `error from node <node>: <reason>` (1.14) and
 * `\t* <node>: <reason>` multierror items (1.12/1.13, inside a WARNING or a final error).
 */
export function nodeFailures(stderr: string): Map<string, string> {
  const failures = new Map<string, string>();
  for (const line of stderr.split("\n")) {
    const match = /^error from node (\S+): (.*)$/.exec(line.trim()) ?? /^\* (\S+): (.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined && !failures.has(match[1])) failures.set(match[1], match[2].trim());
  }
  return failures;
}

export interface TalosctlRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
}

/** Why a node has no row in a talosctl answer, as precise as talosctl's output allows. */
export function missingReason(run: TalosctlRun, address: string, timeoutMs: number): string {
  const failures = nodeFailures(run.stderr);
  const named = failures.get(address);
  if (named) return named;
  if (run.timedOut) return `no answer within ${timeoutMs / 1000}s`;
  const firstLine = run.stderr
    .split("\n")
    .map((line) => line.trim())
    .find(Boolean);
  // A whole-call failure (bad talosconfig, no endpoint) names no node; another node's failure is not this one's.
  if (run.exitCode !== 0 && failures.size === 0 && firstLine) return firstLine;
  return "talosctl printed no row for this node";
}
