import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UpgradeError } from "./errors.js";
import { acquireLock, readLock, readState, type UpgradeState, writeState } from "./state.js";

const dir = () => mkdtempSync(path.join(tmpdir(), "kubeforge-state-"));

const state: UpgradeState = {
  version: 1,
  cluster: "lab",
  environment: "staging",
  target: { talos: "v1.13.9", kubernetes: "v1.35.2" },
  status: "running",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  inFlight: { kind: "talos", to: "v1.13.9", node: "cp-2", phase: "upgrading", since: "2026-01-01T00:01:00.000Z" },
  completed: [{ kind: "talos", to: "v1.13.9", node: "cp-1", at: "2026-01-01T00:00:30.000Z", skipped: false }],
};

describe("state file", () => {
  it("round-trips, written atomically (no temp file left behind)", async () => {
    const folder = dir();
    const file = path.join(folder, "lab.state.json");
    await writeState(file, state);
    const read = await readState(file);
    expect(read).toEqual({ ...state, updatedAt: read?.updatedAt });
    expect(readdirSync(folder)).toEqual(["lab.state.json"]);
  });

  it("is undefined when missing, and a typed E_STATE error when broken", async () => {
    const folder = dir();
    expect(await readState(path.join(folder, "none.json"))).toBeUndefined();
    const broken = path.join(folder, "broken.json");
    writeFileSync(broken, "{ not json");
    await expect(readState(broken)).rejects.toMatchObject({ code: "E_STATE", message: `${broken} is not JSON` });
    writeFileSync(broken, JSON.stringify({ ...state, status: "paused" }));
    await expect(readState(broken)).rejects.toThrow(/status: Invalid option/);
  });

  it("a lock held by a live process refuses; one left by a dead process (kill -9) is taken over", async () => {
    const folder = dir();
    const file = path.join(folder, "lab.state.json.lock");
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), since: "2026-01-01T00:00:00Z" }));
    const refused = await acquireLock(file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpgradeError);
    expect((refused as UpgradeError).code).toBe("E_LOCKED");

    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: "2026-01-01T00:00:00Z" }));
    expect((await readLock(file))?.alive).toBe(false);
    const release = await acquireLock(file);
    expect((await readLock(file))?.pid).toBe(process.pid);
    await release();
    expect(await readLock(file)).toBeUndefined();
  });
});
