#!/usr/bin/env node
// The simulator's fake talosctl: same command line and output shape as talosctl for the commands the
// orchestrator uses, backed by the simulator's control API ($KUBEFORGE_SIM_URL).
import { parseArgs } from "node:util";

const base = process.env.KUBEFORGE_SIM_URL;
if (!base) {
  process.stderr.write("fake talosctl: KUBEFORGE_SIM_URL is not set\n");
  process.exit(1);
}

// The client's own version decides its flags, as with the real talosctl: --drain/--drain-timeout came with
// 1.13 (v1.12.11's upgrade.go has neither; cobra refuses an unknown flag).
const clientTag = process.env.KUBEFORGE_SIM_TALOSCTL_TAG ?? "v1.13.9";
const minor = (tag) => Number(/^v?1\.(\d+)\./.exec(String(tag))?.[1] ?? 0);
const hasDrainFlags = minor(clientTag) >= 13;
if (!hasDrainFlags) {
  const unknown = process.argv.slice(2).find((arg) => /^--drain(-timeout)?(=|$)/.test(arg));
  if (unknown) {
    process.stderr.write(`Error: unknown flag: ${unknown.split("=")[0]}\n`);
    process.exit(1);
  }
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    talosconfig: { type: "string" },
    nodes: { type: "string", short: "n" },
    image: { type: "string", short: "i" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
    drain: { type: "boolean" },
    "drain-timeout": { type: "string" },
    client: { type: "boolean" },
    to: { type: "string" },
    output: { type: "string", short: "o" },
  },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (text) => Number(String(text ?? "1800s").replace(/s$/, "")) * 1000;

async function node(address) {
  const response = await fetch(`${base}/__sim/node?node=${encodeURIComponent(address)}`);
  if (!response.ok) throw new Error(`rpc error: code = NotFound desc = unknown node ${address}`);
  return response.json();
}

async function main() {
  const [command] = positionals;
  const address = values.nodes;
  if (command === "version" && values.client) {
    process.stdout.write(`Client:\n\tTag:         ${clientTag}\n\tSHA:         00000000\n\tOS/Arch:     linux/amd64\n`);
    return 0;
  }
  if (command === "version") {
    const state = await node(address);
    if (!state.up) {
      process.stderr.write(
        `error getting version: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${address}:50000: connect: connection refused"\n`,
      );
      return 1;
    }
    process.stdout.write(
      `Client:\n\tTag:         ${clientTag}\n\tSHA:         00000000\n\tOS/Arch:     linux/amd64\nServer:\n\tNODE:        ${address}\n\tTag:         ${state.talos}\n\tSHA:         00000000\n\tOS/Arch:     linux/amd64\n\tEnabled:     RBAC\n`,
    );
    return 0;
  }
  if (command === "get" && positionals[1] === "machinestatus") {
    const state = await node(address);
    if (!state.up) {
      process.stderr.write(`error: rpc error: code = Unavailable desc = connection refused (${address}:50000)\n`);
      return 1;
    }
    process.stdout.write(
      `${JSON.stringify({ node: address, metadata: { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine" }, spec: { stage: state.stage, status: { ready: state.stage === "running" } } }, null, 4)}\n`,
    );
    return 0;
  }
  if (command === "read" && positionals[1] === "/proc/sys/kernel/random/boot_id") {
    const state = await node(address);
    if (!state.up) {
      process.stderr.write(`error: rpc error: code = Unavailable desc = connection refused (${address}:50000)\n`);
      return 1;
    }
    process.stdout.write(`${state.bootId}\n`);
    return 0;
  }
  if (command === "upgrade") {
    const start = await node(address);
    // talosctl takes the LifecycleService path for servers in >1.13.0-alpha.2 <2.0.0, else the legacy API.
    if (hasDrainFlags && minor(start.talos) >= 13) return upgradeViaLifecycle(address, start.bootId, start.hostname);
    const before = start.bootId;
    process.stdout.write(`watching nodes: [${address}]\n`);
    await fetch(`${base}/__sim/upgrade`, {
      method: "POST",
      body: JSON.stringify({ node: address, image: values.image }),
    });
    process.stdout.write(`    * ${address}: upgrade requested, rebooting\n`);
    if (values.wait === false) return 0;
    const deadline = Date.now() + seconds(values.timeout);
    await sleep(200);
    while (Date.now() < deadline) {
      const state = await node(address);
      // As talosctl --wait does: done once the node answers again with a new boot ID.
      if (state.up && state.stage === "running" && state.bootId !== before) {
        process.stdout.write(`    * ${address}: post check passed\n`);
        return 0;
      }
      await sleep(100);
    }
    process.stderr.write(`error: ${address}: timeout waiting for the node to come back after reboot\n`);
    return 1;
  }
  if (command === "upgrade-k8s") {
    const to = values.to?.startsWith("v") ? values.to : `v${values.to}`;
    process.stdout.write(`automatically detected the lowest Kubernetes version\nupgrading to ${to}\n`);
    await fetch(`${base}/__sim/upgrade-k8s`, { method: "POST", body: JSON.stringify({ to }) });
    for (;;) {
      const response = await fetch(`${base}/__sim/nodes`);
      const { nodes } = await response.json();
      if (nodes.every((candidate) => candidate.kubelet === to && candidate.ready)) break;
      await sleep(100);
    }
    process.stdout.write(" > all nodes updated\n");
    return 0;
  }
  process.stderr.write(`fake talosctl: unsupported command ${command}\n`);
  return 1;
}

/** A duration as Go's time.Duration prints it (5m0s, 20s), as talosctl's errors do. */
function goDuration(ms) {
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  return minutes > 0 ? `${minutes}m${total % 60}s` : `${total}s`;
}

/** Polls the node until `done(state)`, for at most `ms` (no deadline when undefined). */
async function waitFor(address, done, ms) {
  const deadline = ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + ms;
  while (Date.now() < deadline) {
    if (done(await node(address))) return true;
    await sleep(100);
  }
  return false;
}

/**
 * As talosctl 1.13/1.14's upgradeViaLifecycleService: imagePullInternal (no deadline), upgradeInternal (no
 * deadline), drainNodes (--drain-timeout, default 5m), rebootInternal (--timeout), then the deferred
 * uncordonNodes (--timeout again). Killed halfway, nothing uncordons the node.
 */
async function upgradeViaLifecycle(address, before, nodeName) {
  const phase = (name) =>
    fetch(`${base}/__sim/lifecycle`, {
      method: "POST",
      body: JSON.stringify({ node: address, phase: name, image: values.image }),
    });
  process.stdout.write(`    * ${address}: pulling ${values.image}\n`);
  await phase("pull");
  await waitFor(address, (state) => state.pulled === values.image);
  await phase("install");
  process.stdout.write(`    * ${address}: upgrade completed\n`);
  // --drain defaults to true; the fake cannot turn it off (kubeforge never does).
  process.stdout.write(`    * ${address}: cordoning and draining\n`);
  await phase("cordon");
  await phase("evict");
  const drainTimeout = seconds(values["drain-timeout"] ?? "300s");
  if (!(await waitFor(address, (state) => state.evicted, drainTimeout))) {
    // talosctl's own text: nodedrain.CordonAndDrain wraps kubectl's drain error, and talosctl returns it before
    // its deferred uncordon is set up (cmd/talosctl/cmd/talos/upgrade.go, 1.13 and 1.14), so the node stays cordoned.
    process.stderr.write(
      `error draining node "${nodeName}": error when evicting pods/"web-${nodeName}" -n "apps": global timeout reached: ${goDuration(drainTimeout)}\n`,
    );
    return 1;
  }
  let code = 0;
  try {
    await phase("reboot");
    process.stdout.write(`    * ${address}: rebooting\n`);
    const back = (state) => state.up && state.stage === "running" && state.bootId !== before;
    if (await waitFor(address, back, seconds(values.timeout))) {
      process.stdout.write(`    * ${address}: post check passed\n`);
    } else {
      process.stderr.write(`error: ${address}: timeout waiting for the node to come back after reboot\n`);
      code = 1;
    }
  } finally {
    if (await waitFor(address, (state) => state.up, seconds(values.timeout))) {
      await phase("uncordon");
      process.stdout.write(`    * ${address}: uncordoned\n`);
    } else {
      process.stderr.write(`error: ${address}: uncordoning node: timed out\n`);
      code = 1;
    }
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  },
);
