import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readState, type UpgradeState, writeState } from "./state.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-state-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const dir = () => mkdtempSync(path.join(scratch, "kubeforge-state-"));

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
});
