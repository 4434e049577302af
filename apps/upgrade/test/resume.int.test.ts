// Simulator: the CLI is killed with SIGKILL while a node is upgrading; the next `run` re-checks that node
// and carries on from it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readState } from "../src/index.js";
import { type Simulator, startSimulator } from "./simulator/simulator.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bin = fileURLToPath(new URL("../bin/kubeforge-upgrade.mjs", import.meta.url));

function cli(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  if (!existsSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)))) {
    throw new Error("dist/cli.js is missing: run `pnpm --filter @kubeforge/upgrade build` first (turbo does)");
  }
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout, done };
}

const FAST = ["--poll", "100ms", "--timeout", "20s"];

describe("kill -9 mid-run", () => {
  let sim: Simulator;
  beforeAll(async () => {
    // Talos drains late: the node stays Ready at the old version for a while after the upgrade call.
    // The second node is held in that window until the resumed run is seen waiting: no timing assumption.
    sim = await startSimulator({ downMs: 1500, drainMs: 300, holdDrainNth: 2 });
    await sim.waitHealthy();
  }, 180_000);
  afterAll(async () => {
    await sim?.stop();
  }, 180_000);

  it("kill -9 during talosctl, then a leader change: the resume waits for the orphan, keeps the in-flight node first, upgrades each node once and never has two down", async () => {
    sim.kube.leases.set("kube-system/plndr-cp-lock", "sim-1");
    const stateDir = mkdtempSync(path.join(scratch, "kubeforge-upgrade-resume-"));
    const stateFile = path.join(stateDir, "sim.state.json");
    const first = cli(["run", ...sim.cliArgs(stateDir), ...FAST], sim.env);

    // Wait until the second node is being upgraded, then pull the plug.
    let victim: string | undefined;
    let exited = false;
    void first.done.then(() => {
      exited = true;
    });
    for (;;) {
      if (victim || exited) break;
      const state = await readState(stateFile).catch(() => undefined);
      const upgraded = state?.completed.filter((done) => !done.skipped).length ?? 0;
      // Killed once Talos has the upgrade request (the simulator saw it) and talosctl is waiting for the reboot.
      if (
        state?.inFlight?.phase === "upgrading" &&
        state.inFlight.process &&
        upgraded === 1 &&
        sim.upgrades.length === 2
      ) {
        victim = state.inFlight.node;
      } else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!victim) throw new Error(`the first run never reached the second node: ${(await first.done).stderr}`);
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.code).toBeNull();

    // The orphaned talosctl still runs; leadership moves to the node in flight (it would now go last).
    sim.kube.leases.set("kube-system/plndr-cp-lock", victim);
    const status = cli(["status", ...sim.cliArgs(stateDir)], sim.env);
    const shown = await status.done;
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("interrupted (no live process): `run` resumes");
    expect(shown.stdout).toContain(`in flight: ${victim} (talos v1.13.9), phase upgrading`);

    const second = cli(["run", ...sim.cliArgs(stateDir), ...FAST, "--json"], sim.env);
    let finished = false;
    void second.done.then(() => {
      finished = true;
    });
    // Before the fix the resumed run saw the node Ready at its old version and upgraded it a second time.
    const bound = performance.now() + 120_000;
    // It must wait: for the orphaned talosctl (if it still lives; a talosctl whose stdout reader died exits
    // on its next write, as Go programs do on SIGPIPE) and for the reboot the node is in the middle of.
    const waiting = /talosctl \(pid \d+\) still runs|waiting for \S+ to reboot/;
    while (!finished && !waiting.test(second.output())) {
      if (performance.now() > bound) throw new Error(`the resumed run never waited for the node:\n${second.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    sim.releaseDrain();
    const resumed = await second.done;
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    const events = resumed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; node?: string; resumed?: string; status?: string });
    expect(events[0]).toMatchObject({ type: "resume", node: victim });
    expect(
      events.some((event) => event.type === "resume" && waiting.test(String((event as { detail?: string }).detail))),
    ).toBe(true);
    const resumeDetails = events
      .filter((event) => event.type === "resume")
      .map((event) => String((event as { detail?: string }).detail));
    expect(resumeDetails).not.toContainEqual(expect.stringMatching(/never rebooted/));
    expect(events.at(-1)).toMatchObject({ type: "result", resumed: victim });

    // The in-flight node was not upgraded a second time: each node exactly once.
    expect([...sim.upgrades].sort()).toEqual(["sim-1", "sim-2", "sim-3"]);
    // Quorum never lost: never two nodes down (rebooting or upgrading) at once.
    expect(sim.peakDown()).toBe(1);
    expect(sim.nodes.every((node) => node.talos === "v1.13.9")).toBe(true);
    const state = await readState(stateFile);
    expect(state?.status).toBe("done");
    expect(
      state?.completed
        .filter((done) => !done.skipped)
        .map((done) => done.node)
        .sort(),
    ).toEqual(["sim-1", "sim-2", "sim-3"]);
  });
});
