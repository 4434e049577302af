// `node scripts/deadline.mjs [--grace <ms>] <seconds> <command> [args…]`: runs the command (same stdio); if it is still
// running after <seconds>, prints every process it left running (pid, seconds alive, state, CPU time,
// command line, as a tree), stops them (SIGTERM, then SIGKILL after a grace period) and waits until they
// are gone, so a hung test ends the CI run with the hung command named instead of running into the CI's
// own limit with the buffered output lost. Exits with the command's code (124 on the deadline, as
// coreutils' `timeout`). Hand-written: `timeout` cannot show what was hung before killing it, and it stops
// only its child, not what the child left running. Reads /proc (Linux), so it needs no `ps`.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

const argv = process.argv.slice(2);
// --grace <ms>: how long stopped processes get between SIGTERM and SIGKILL (default 30 s)
const graceAt = argv[0] === "--grace" ? 2 : 0;
const GRACE_MS = graceAt ? Number(argv[1]) : 30_000;
const [seconds, command, ...args] = argv.slice(graceAt);
const limit = Number(seconds);
// setTimeout takes at most 2^31-1 ms; a longer deadline would fire at once
const MAX_SECONDS = 2_147_483;
if (!command || !Number.isFinite(limit) || limit <= 0 || limit > MAX_SECONDS || !(GRACE_MS >= 0)) {
  console.error(`usage: node scripts/deadline.mjs [--grace <ms>] <seconds (1–${MAX_SECONDS})> <command> [args…]`);
  process.exit(2);
}

// its own process group, so the whole tree (turbo, pnpm, vitest, the CLI children) can be stopped at once
const child = spawn(command, args, { stdio: "inherit", detached: true });
const signalGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => signalGroup(signal));
child.on("error", (error) => {
  console.error(`deadline: cannot run ${command}: ${error.message}`);
  process.exit(127);
});

const TICKS = 100; // USER_HZ: /proc counts CPU time in 1/100 s on Linux
const uptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);

/** Every process now: pid, parent, state, CPU seconds, seconds alive, command line. */
function processes() {
  const now = uptime();
  const rows = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // the command name (field 2) may hold spaces and parentheses: fields after its last ")"
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      rows.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        state: fields[0],
        cpu: (Number(fields[11]) + Number(fields[12])) / TICKS,
        alive: Math.round(now - Number(fields[19]) / TICKS),
        args: cmdline || stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
      });
    } catch {
      // ended while being read
    }
  }
  return rows;
}

/** The command's descendants still running, depth first (a tree). */
function descendants() {
  const rows = processes();
  const found = [];
  const visit = (pid, depth) => {
    for (const row of rows.filter((r) => r.ppid === pid)) {
      found.push({ ...row, depth });
      visit(row.pid, depth + 1);
    }
  };
  visit(child.pid, 0);
  return found;
}

function describeRunning(found) {
  return found
    .map(
      (p) =>
        `  ${String(p.pid).padStart(7)} ${`${p.alive}s`.padStart(7)} ${p.state.padEnd(2)} ${`${p.cpu.toFixed(1)}s`.padStart(8)}  ` +
        `${"  ".repeat(p.depth)}${p.args.slice(0, 400)}`,
    )
    .join("\n");
}

/** Still running: exists and is not a zombie (an orphan's zombie waits for its new parent to reap it). */
const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let late = false;
/** Past the deadline: name what runs, stop it, and only exit once nothing of it is left. */
async function stopAll() {
  late = true;
  let found = [];
  try {
    found = descendants();
  } catch (error) {
    console.error(`deadline: cannot list processes (${error.message})`);
  }
  console.error(
    `\ndeadline: \`${[command, ...args].join(" ")}\` still runs after ${limit} s; stopping it. Still running ` +
      `(pid, seconds alive, state — S sleeping, R running, D in the kernel —, CPU time, command):\n` +
      `${describeRunning(found)}\n`,
  );
  // the group, and each descendant that left it (a detached child has its own session)
  const pids = [child.pid, ...found.map((p) => p.pid)];
  const stop = (signal) => {
    signalGroup(signal);
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  stop("SIGTERM");
  for (let waited = 0; waited < GRACE_MS && pids.some(alive); waited += 100) await sleep(100);
  if (pids.some(alive)) {
    console.error("deadline: some processes ignored SIGTERM; sending SIGKILL");
    stop("SIGKILL");
    for (let waited = 0; waited < 10_000 && pids.some(alive); waited += 100) await sleep(100);
  }
  process.exit(124);
}

const timer = setTimeout(stopAll, limit * 1000);

child.on("exit", (code, signal) => {
  // after the deadline, stopAll decides when to exit (once the whole tree is gone)
  if (late) return;
  clearTimeout(timer);
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
