// Start-up of `kubeforge --help` and `kubeforge <command> --help` (budget: 300 ms each). No hyperfine on this
// machine, so: N runs per command in fresh `node` processes, median and max wall time. On a loaded machine plain
// `node` alone can take 100+ ms, so the budget is checked on the time over that baseline plus an idle node start.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "kubeforge.mjs");
const RUNS = Number(process.env.RUNS ?? 10);
const BUDGET_MS = 300;
const IDLE_NODE_MS = 50;
const commands = [
  [],
  ["init"],
  ["build"],
  ["validate"],
  ["secrets"],
  ["talos"],
  ["bootstrap"],
  ["upgrade"],
  ["doctor"],
];

function measure(argv) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, argv, { encoding: "utf8" });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times.at(-1) };
}

const baseline = measure(["-e", ""]).median;
console.log(`node -e "" (baseline)            median ${baseline.toFixed(0).padStart(4)} ms`);
let over = 0;
for (const command of commands) {
  const { median, max } = measure([bin, ...command, "--help"]);
  const overhead = median - baseline;
  if (overhead + IDLE_NODE_MS > BUDGET_MS) over++;
  console.log(
    `kubeforge ${[...command, "--help"].join(" ").padEnd(22)} median ${median.toFixed(0).padStart(4)} ms  max ${max.toFixed(0).padStart(4)} ms  over node ${overhead.toFixed(0).padStart(4)} ms`,
  );
}
if (over > 0) {
  console.error(`${over} command(s) over the ${BUDGET_MS} ms budget`);
  process.exitCode = 1;
}
