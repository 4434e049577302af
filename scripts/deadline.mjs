// `node scripts/deadline.mjs <seconds> <command> [args…]`: runs the command (same stdio); if it is still
// running after <seconds>, prints every process it left running (pid, seconds alive, command line, as a
// tree) and stops it, so a hung test ends the CI run with the hung command named instead of running
// into the CI's own limit with the buffered output lost. Exits with the command's code (124 on the
// deadline, as coreutils' `timeout`). Hand-written: `timeout` cannot show what was hung before killing it.
import { execFileSync, spawn } from "node:child_process";
import os from "node:os";

const [seconds, command, ...args] = process.argv.slice(2);
const limit = Number(seconds);
if (!command || !Number.isFinite(limit) || limit <= 0) {
  console.error("usage: node scripts/deadline.mjs <seconds> <command> [args…]");
  process.exit(2);
}

// its own process group, so the whole tree (turbo, pnpm, vitest, the CLI children) can be stopped at once
const child = spawn(command, args, { stdio: "inherit", detached: true });
const group = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => group(signal));

/** The command's descendants still running (pid, seconds alive, state, CPU time, command line), as a tree. */
function descendants() {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid=,etimes=,stat=,time=,args="], { encoding: "utf8" });
  const rows = table
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      // stat: R running, S sleeping (a hang at 0 % CPU sleeps), D in the kernel; time: CPU used so far
      const [pid, ppid, alive, stat, cpu, ...rest] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), alive, stat, cpu, args: rest.join(" ") };
    });
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
        `  ${String(p.pid).padStart(7)} ${`${p.alive}s`.padStart(7)} ${p.stat.padEnd(4)} ${p.cpu.padStart(8)}  ` +
        `${"  ".repeat(p.depth)}${p.args.slice(0, 400)}`,
    )
    .join("\n");
}

let late = false;
const timer = setTimeout(() => {
  late = true;
  let found = [];
  try {
    found = descendants();
  } catch (error) {
    console.error(`deadline: ps failed (${error.message})`);
  }
  console.error(
    `\ndeadline: \`${[command, ...args].join(" ")}\` still runs after ${limit} s; stopping it. Still running ` +
      `(pid, seconds alive, state, CPU time, command):\n${describeRunning(found)}\n`,
  );
  // the group, and each descendant that left it (a detached child has its own session)
  const stop = (signal) => {
    group(signal);
    for (const p of found) {
      try {
        process.kill(p.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  stop("SIGTERM");
  setTimeout(() => stop("SIGKILL"), 30_000).unref();
}, limit * 1000);

child.on("exit", (code, signal) => {
  clearTimeout(timer);
  process.exit(late ? 124 : (code ?? 128 + (os.constants.signals[signal] ?? 0)));
});
