// Orchestration overhead between nodes, measured in the cluster simulator (real etcd, fake talosctl and
// Kubernetes API). Needs `pnpm build` (it drives dist/) and the etcd binary. Usage: node bench/overhead.bench.mjs [rounds]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createJiti } from "jiti";

// grpc-js dials etcd by IP and Node warns (DEP0123) on each dial; the CLI hides it too.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.code !== "DEP0123") process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const here = path.dirname(fileURLToPath(import.meta.url));
const jiti = createJiti(import.meta.url);
const { startSimulator } = await jiti.import(path.join(here, "../test/simulator/simulator.ts"));
const { runUpgrade } = await import("../dist/index.js");

const rounds = Number(process.argv[2] ?? 2);
const DOWN_MS = 1000;
const POLL_MS = 100;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};
const ms = (value) => `${Math.round(value)} ms`.padStart(9);

const samples = { between: [], beforeGates: [], detect: [], node: [], run: [] };
for (let round = 1; round <= rounds; round += 1) {
  const sim = await startSimulator({ downMs: DOWN_MS });
  const stateDir = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-bench-"));
  try {
    await sim.waitHealthy();
    const marks = [];
    const started = Date.now();
    await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(stateDir, "sim.state.json"),
      evidenceDir: path.join(stateDir, "evidence"),
      pollIntervalMs: POLL_MS,
      onEvent: (event) => marks.push({ ...event, at: Date.now() }),
    });
    samples.run.push(Date.now() - started);
    const talos = marks.filter((mark) => mark.step === undefined || mark.step.startsWith("talos"));
    for (const hostname of sim.upgrades) {
      const start = talos.find((mark) => mark.type === "node" && mark.status === "start" && mark.node === hostname);
      const command = talos.find(
        (mark) => mark.type === "command" && mark.line === undefined && mark.node === hostname,
      );
      const done = talos.find((mark) => mark.type === "node" && mark.status === "done" && mark.node === hostname);
      samples.beforeGates.push(command.at - start.at);
      samples.detect.push(done.at - sim.restoredAt.get(hostname));
      samples.node.push(done.at - start.at);
    }
    for (let index = 1; index < sim.upgrades.length; index += 1) {
      const previous = talos.find(
        (mark) => mark.type === "node" && mark.status === "done" && mark.node === sim.upgrades[index - 1],
      );
      const command = talos.find(
        (mark) => mark.type === "command" && mark.line === undefined && mark.node === sim.upgrades[index],
      );
      samples.between.push(command.at - previous.at);
    }
    process.stdout.write(`round ${round}: upgraded ${sim.upgrades.join(", ")} in ${Date.now() - started} ms\n`);
  } finally {
    await sim.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

process.stdout.write(`
kubeforge-upgrade orchestration overhead (simulator: 3 etcd members with TLS, node down ${DOWN_MS} ms, poll ${POLL_MS} ms, ${rounds} round(s))
  median node done → next node's talosctl upgrade    ${ms(median(samples.between))}   (version check, 5 gates before, state writes)
  median node start → its talosctl upgrade           ${ms(median(samples.beforeGates))}
  median node back → its gates after all passed      ${ms(median(samples.detect))}   (5 gates after; bounded below by the poll interval)
  median whole node (start → done, incl. ${DOWN_MS} ms down) ${ms(median(samples.node))}
  median whole run (plan + 3 nodes + final checks)   ${ms(median(samples.run))}
`);
