// Times bundle generation and three-node machine-config generation (render + schema validation).
// Run after `pnpm build`: node bench/talos.bench.mjs
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCluster } from "@kubeforge/config";
import {
  generateBundle,
  renderMachineConfigs,
  renderTalosconfig,
  stringifyMachineConfig,
  validateConfigDocuments,
} from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { cluster } = await loadCluster(path.resolve(here, "../../../clusters/homelab/cluster.ts"));

async function measure(label, runs, run) {
  await run(); // warm-up (JIT, schema compilation)
  const times = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const fmt = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  console.log(
    `${label.padEnd(58)} median ${fmt(median).padStart(10)}   min ${fmt(times[0]).padStart(10)}   (${runs} runs)`,
  );
}

let bundle;
await measure("generateBundle (4 CAs + RSA-4096 service-account key)", 10, async () => {
  bundle = await generateBundle({ talosVersion: cluster.talos.version });
});
await measure(`render + stringify ${cluster.nodes.length} configs (Talos ${cluster.talos.version})`, 200, () => {
  renderMachineConfigs(cluster, bundle).map(stringifyMachineConfig);
});
await measure(`render + validate ${cluster.nodes.length} configs against the official schema`, 100, () => {
  for (const config of renderMachineConfigs(cluster, bundle)) {
    const issues = validateConfigDocuments(config.documents, { minor: 13 });
    if (issues.length > 0) throw new Error(JSON.stringify(issues));
  }
});
await measure("renderTalosconfig (new os:admin certificate)", 50, () => renderTalosconfig({ cluster, bundle }));
