// scripts/deadline.mjs: a command past its deadline is named, with what it left running, and stopped.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "deadline.mjs");
const run = (...args) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 120_000 });

test("passes the command's exit code through", () => {
  assert.equal(run("60", "sh", "-c", "exit 3").status, 3);
  assert.equal(run("60", "true").status, 0);
});

test("past the deadline: names the hung descendants, stops them, exits 124", () => {
  const marker = `hung-${process.pid}-${Date.now()}`;
  const result = run("1", "sh", "-c", `node -e 'setInterval(() => {}, 1000)' ${marker}; echo never`);
  assert.equal(result.status, 124);
  assert.match(result.stderr, /still runs after 1 s/);
  assert.match(result.stderr, new RegExp(`node -e setInterval.*${marker}`));
  assert.doesNotMatch(result.stdout, /never/);
  // SIGTERM was sent; give a loaded machine time to end it
  let left = "";
  for (let i = 0; i < 100; i++) {
    left = spawnSync("pgrep", ["-f", marker], { encoding: "utf8" }).stdout.trim();
    if (left === "") break;
    spawnSync("sleep", ["0.1"]);
  }
  assert.equal(left, "", "the hung process was stopped");
});

test("usage errors exit 2", () => {
  assert.equal(run("x", "true").status, 2);
  assert.equal(run("5").status, 2);
});
