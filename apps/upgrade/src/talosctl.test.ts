import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UpgradeError } from "./errors.js";
import {
  clientHasDrainFlags,
  createTalosctl,
  MACHINE_STAGES,
  parseClientTag,
  parseDrainFailure,
  parseMachineStage,
  parseServerTag,
} from "./talosctl.js";
import { DEFAULT_TIMEOUTS, upgradeKillDeadlineMs } from "./timeouts.js";

const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-talosctl-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in talosctl: prints `clientTag` for `version --client`, records every command line, then runs `body`. */
function fakeTalosctl(name: string, clientTag: string, body = "exit 0"): { bin: string; log: string } {
  const bin = path.join(scratch, name);
  const log = path.join(scratch, `${name}.log`);
  writeFileSync(
    bin,
    `#!/bin/sh\necho "$*" >> '${log}'\nif [ "$1" = version ]; then printf 'Client:\\n\\tTag:         ${clientTag}\\n'; exit 0; fi\n${body}\n`,
  );
  chmodSync(bin, 0o755);
  return { bin, log };
}

describe("talosctl wrapper", () => {
  it("reads the server tag, not the client's", () => {
    const output =
      "Client:\n\tTag:         v1.13.9\n\tSHA:         abc\nServer:\n\tNODE:        10.0.0.11\n\tTag:         v1.12.11\n\tSHA:         def\n";
    expect(parseServerTag(output)).toBe("v1.12.11");
    expect(parseServerTag("Client:\n\tTag: v1.13.9\n")).toBeUndefined();
  });

  it("reads the client tag, not the server's", () => {
    expect(parseClientTag("Client:\n\tTag:         v1.12.11\n\tSHA: abc\nServer:\n\tTag: v1.13.9\n")).toBe("v1.12.11");
    expect(parseClientTag("Server:\n\tTag: v1.13.9\n")).toBeUndefined();
  });

  it("reads every Talos machine stage as talosctl prints it, including the one with a space", () => {
    // Failed before: the regex only took [a-z_], so "shutting down" came back as "shutting".
    for (const stage of MACHINE_STAGES) {
      const output = JSON.stringify({ node: "10.0.0.11", spec: { stage, status: { ready: false } } }, null, 4);
      expect(parseMachineStage(output)).toBe(stage);
    }
    expect(parseMachineStage('{"spec": {"stage": "shutting down"}}')).toBe("shutting down");
    expect(parseMachineStage("{}")).toBeUndefined();
  });

  it("--drain/--drain-timeout exist from talosctl 1.13 on (v1.12.11's upgrade has neither)", () => {
    expect(["v1.12.11", "v1.13.9", "v1.14.0-rc.1", "v2.0.0", "garbage"].map((tag) => clientHasDrainFlags(tag))).toEqual(
      [false, true, true, true, false],
    );
    expect(clientHasDrainFlags(undefined)).toBe(false);
  });

  it("passes --drain-timeout to a 1.13+ talosctl, and not to a 1.12 one (it would refuse the flag)", async () => {
    for (const [name, tag, expected] of [
      [
        "new",
        "v1.14.0-rc.1",
        "upgrade --nodes 10.0.0.11 --image img:v1 --wait --timeout 120s --drain --drain-timeout 45s",
      ],
      ["old", "v1.12.11", "upgrade --nodes 10.0.0.11 --image img:v1 --wait --timeout 120s"],
    ] as const) {
      const fake = fakeTalosctl(name, tag);
      const talosctl = createTalosctl({ bin: fake.bin });
      await talosctl.upgrade("10.0.0.11", "img:v1", { timeoutMs: 120_000, drainTimeoutMs: 45_000 });
      await talosctl.upgrade("10.0.0.11", "img:v1", { timeoutMs: 120_000, drainTimeoutMs: 45_000 });
      // The client version is asked once per wrapper.
      expect(readFileSync(fake.log, "utf8").trim().split("\n")).toEqual(["version --client", expected, expected]);
    }
  });

  it("stops talosctl only after its own pull, drain, reboot and uncordon deadlines, not at --timeout + 10 s", () => {
    // talosctl 1.13+/1.14 (LifecycleService): pull (no deadline), install, drain (--drain-timeout),
    // reboot (--timeout), then the deferred uncordon (--timeout again).
    const deadline = upgradeKillDeadlineMs({
      timeoutMs: 30 * 60_000,
      drainTimeoutMs: 5 * 60_000,
      pullBudgetMs: 10 * 60_000,
    });
    expect(deadline).toBe((10 + 5 + 30 + 30 + 1) * 60_000);
    expect(
      upgradeKillDeadlineMs({
        timeoutMs: DEFAULT_TIMEOUTS.upgrade,
        drainTimeoutMs: DEFAULT_TIMEOUTS.drain,
        pullBudgetMs: DEFAULT_TIMEOUTS["image-pull"],
      }),
    ).toBe(deadline);
  });

  it("when it does stop talosctl, it says the node may be left cordoned and how to uncordon it", async () => {
    const fake = fakeTalosctl("slow", "v1.13.9", "exec sleep 30");
    const talosctl = createTalosctl({ bin: fake.bin, killMarginMs: 0 });
    const error = (await talosctl
      .upgrade("10.0.0.11", "img:v1", { timeoutMs: 100, drainTimeoutMs: 100, pullBudgetMs: 100, nodeName: "cp-1" })
      .catch((caught: unknown) => caught)) as UpgradeError;
    expect(error).toBeInstanceOf(UpgradeError);
    expect(error.code).toBe("E_UPGRADE");
    expect(error.message).toMatch(/did not finish within 0\.4s$/);
    expect(error.hint).toContain("cp-1 may be left cordoned");
    expect(error.hint).toContain("`kubectl uncordon cp-1`");
  });

  it("when talosctl's own drain fails, says the node is left cordoned, how to uncordon it, and that it did not reboot", async () => {
    // talosctl 1.13/1.14's text (nodedrain.CordonAndDrain around kubectl's drain library), on stderr, exit 1.
    const fake = fakeTalosctl(
      "drain-fails",
      "v1.14.0-rc.1",
      `echo '    * 10.0.0.11: upgrade completed'\necho 'error draining node "worker-1": error when evicting pods/"web-0" -n "apps": global timeout reached: 5m0s' >&2\nexit 1`,
    );
    const error = (await createTalosctl({ bin: fake.bin })
      .upgrade("10.0.0.11", "img:v1", { timeoutMs: 5000, nodeName: "w1" })
      .catch((caught: unknown) => caught)) as UpgradeError;
    expect(error).toBeInstanceOf(UpgradeError);
    expect(error.message).toContain('error draining node "worker-1"');
    // The Kubernetes node name talosctl printed is the one kubectl knows.
    expect(error.hint).toContain("worker-1 is left cordoned");
    expect(error.hint).toContain("`kubectl get node worker-1`");
    expect(error.hint).toContain("`kubectl uncordon worker-1`");
    expect(error.hint).toContain("did not reboot worker-1");
    expect(parseDrainFailure('error cordoning node "w": forbidden\n')).toBeUndefined();
    expect(parseDrainFailure('x\nerror draining node "a": b: c\n')).toEqual({ node: "a", cause: "b: c" });
  });

  it("says how to install talosctl when it is missing", async () => {
    const talosctl = createTalosctl({ bin: "/nonexistent/talosctl" });
    const error = await talosctl.version("10.0.0.11", { timeoutMs: 5000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpgradeError);
    expect((error as UpgradeError).code).toBe("E_CONNECT");
    expect((error as UpgradeError).message).toBe("/nonexistent/talosctl is not installed or not on PATH");
  });

  it("reports a failing command with its exit code and last output lines", async () => {
    const talosctl = createTalosctl({ bin: "false" });
    const error = (await talosctl
      .upgrade("10.0.0.11", "img:v1", { timeoutMs: 5000 })
      .catch((caught: unknown) => caught)) as UpgradeError;
    expect(error.code).toBe("E_UPGRADE");
    expect(error.message).toBe(
      "`talosctl upgrade --nodes 10.0.0.11 --image img:v1 --wait --timeout 5s` exited with 1: no output",
    );
  });
});
