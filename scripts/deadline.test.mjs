// scripts/deadline.mjs: a command past its deadline is named, with what it left running, and stopped —
// everything it started, including a process that ignores SIGTERM — before the script exits 124.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "deadline.mjs");
// deadline.mjs reads /proc (CI runs on Linux); elsewhere these tests are skipped
const linux = { skip: process.platform !== "linux" && "needs /proc (Linux)" };
const run = (args) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 120_000 });

/** Running processes (not zombies) whose command line contains `marker` (read from /proc, no pgrep). */
function running(marker) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (cmdline.includes(marker) && stat[stat.lastIndexOf(")") + 2] !== "Z") found.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

test("passes the command's exit code through", linux, () => {
  assert.equal(run(["60", "sh", "-c", "exit 3"]).status, 3);
  assert.equal(run(["60", "true"]).status, 0);
});

test("past the deadline: names the hung descendants, stops them, exits 124", linux, () => {
  const marker = `hung-${process.pid}-${Date.now()}`;
  const result = run(["1", "sh", "-c", `node -e 'setInterval(() => {}, 1000)' ${marker}; echo never`]);
  assert.equal(result.status, 124);
  assert.match(result.stderr, /still runs after 1 s/);
  assert.match(result.stderr, new RegExp(`node -e setInterval.*${marker}`));
  assert.doesNotMatch(result.stdout, /never/);
  assert.deepEqual(running(marker), [], "the hung process was stopped before the script exited");
});

test("a grandchild that ignores SIGTERM is killed before the script exits (its parent died at once)", linux, () => {
  const marker = `stubborn-${process.pid}-${Date.now()}`;
  const result = run([
    "--grace",
    "1000",
    "1",
    "sh",
    "-c",
    `node -e 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)' ${marker} & wait`,
  ]);
  assert.equal(result.status, 124);
  assert.match(result.stderr, /ignored SIGTERM; sending SIGKILL/);
  assert.deepEqual(running(marker), []);
});

test("usage errors exit 2; a command that cannot start exits 127 without a stack trace", linux, () => {
  assert.equal(run(["x", "true"]).status, 2);
  assert.equal(run(["5"]).status, 2);
  assert.equal(run(["9999999999", "true"]).status, 2);
  assert.equal(run(["--grace", "x", "5", "true"]).status, 2);
  const missing = run(["5", "/nonexistent/command"]);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /cannot run \/nonexistent\/command/);
  assert.doesNotMatch(missing.stderr, /^\s+at /m);
});
