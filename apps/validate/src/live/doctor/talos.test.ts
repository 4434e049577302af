// Talos and etcd health through a fake talosctl that prints what talosctl 1.12, 1.13 and 1.14 print when a
// node is down (see test/fake-talosctl.ts for the source lines): only the node that is down is reported, with
// the reason talosctl gave, and the members that answered are judged by their own rows.
import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type FakeTalosctlScenario,
  healthyMember,
  runningServices,
  type TalosctlVersion,
  writeFakeTalosctl,
} from "../../../test/fake-talosctl.js";
import { checkTalosHealth } from "./talos.js";
import { missingReason, nodeFailures, parseTable } from "./talosctl-output.js";

const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-talos-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LEADER = "aaaaaaaaaaaaaaaa";
const CONTROL_PLANE = [
  { name: "cp-1", address: "10.0.0.1", controlPlane: true },
  { name: "cp-2", address: "10.0.0.2", controlPlane: true },
  { name: "cp-3", address: "10.0.0.3", controlPlane: true },
];
const UNAVAILABLE =
  'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.3:50000: connect: connection refused"';

const threeMembers = (): FakeTalosctlScenario["nodes"] => ({
  "10.0.0.1": { etcd: healthyMember(LEADER, LEADER), services: runningServices() },
  "10.0.0.2": { etcd: healthyMember("bbbbbbbbbbbbbbbb", LEADER), services: runningServices() },
  "10.0.0.3": { etcd: healthyMember("cccccccccccccccc", LEADER), services: runningServices() },
});

async function health(scenario: FakeTalosctlScenario, nodes = CONTROL_PLANE): Promise<string[]> {
  const dir = await mkdtemp(path.join(scratch, "fake-"));
  const bin = await writeFakeTalosctl(dir, scenario);
  const findings = await checkTalosHealth(nodes, {
    talosconfig: path.join(dir, "talosconfig"),
    bin,
    timeoutMs: 60_000,
  });
  return findings.map((finding) => `${finding.rule} ${finding.object}: ${finding.message}`);
}

describe("parseTable", () => {
  it("reads talosctl's etcd status table with the IN USE percentage and PROTOCOL/STORAGE columns", () => {
    const rows = parseTable(
      [
        "NODE       MEMBER             DB SIZE   IN USE           LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   PROTOCOL   STORAGE   ERRORS",
        "10.0.0.1   aaaaaaaaaaaaaaaa   20 MB     10 MB (50.00%)   aaaaaaaaaaaaaaaa   100          2           100                  false     3.6.0      3.6.0     ",
        "10.0.0.2   bbbbbbbbbbbbbbbb   20 MB     10 MB (50.00%)   aaaaaaaaaaaaaaaa   90           2           90                   false     3.6.0      3.6.0     etcdserver: mvcc: database space exceeded",
      ].join("\n"),
    );
    expect(rows[0]).toMatchObject({ NODE: "10.0.0.1", "IN USE": "10 MB (50.00%)", LEARNER: "false", ERRORS: "" });
    expect(rows[1]).toMatchObject({
      NODE: "10.0.0.2",
      STORAGE: "3.6.0",
      ERRORS: "etcdserver: mvcc: database space exceeded",
    });
  });

  it("keeps an empty cell in the middle empty instead of shifting the columns after it", () => {
    const rows = parseTable(
      [
        "NODE       PROTOCOL   STORAGE   LEARNER   ERRORS",
        "10.0.0.1   3.6.0                true      ",
        "10.0.0.2   3.6.0      3.6.0     false     ",
      ].join("\n"),
    );
    expect(rows.map((row) => [row.STORAGE, row.LEARNER])).toEqual([
      ["", "true"],
      ["3.6.0", "false"],
    ]);
  });

  it("reads rows that talosctl 1.14 flushed in blocks aligned apart from the header", () => {
    const rows = parseTable(
      [
        "NODE   MEMBER   LEARNER   ERRORS",
        "10.0.0.1   aaaaaaaaaaaaaaaa   false   ",
        "10.0.0.2   bbbbbbbbbbbbbbbb   true    ",
      ].join("\n"),
    );
    expect(rows.map((row) => [row.NODE, row.LEARNER])).toEqual([
      ["10.0.0.1", "false"],
      ["10.0.0.2", "true"],
    ]);
  });
});

describe("nodeFailures", () => {
  it("reads talosctl 1.14's `error from node` lines", () => {
    const failures = nodeFailures(
      `error from node 10.0.0.3: ${UNAVAILABLE}\nerror from node 10.0.0.2: deadline exceeded\n`,
    );
    expect(Object.fromEntries(failures)).toEqual({ "10.0.0.3": UNAVAILABLE, "10.0.0.2": "deadline exceeded" });
  });

  it("reads the multierror items of talosctl 1.12/1.13 warnings", () => {
    const failures = nodeFailures(`WARNING: 2 errors occurred:\n\t* 10.0.0.3: ${UNAVAILABLE}\n\t* 10.0.0.2: boom\n\n`);
    expect(Object.fromEntries(failures)).toEqual({ "10.0.0.3": UNAVAILABLE, "10.0.0.2": "boom" });
  });

  it("does not blame a node for another node's failure or for the exit code alone", () => {
    const run = { stdout: "", stderr: "error from node 10.0.0.3: boom\n", exitCode: 1, timedOut: false };
    expect(missingReason(run, "10.0.0.2", 1000)).toBe("talosctl printed no row for this node");
    expect(
      missingReason({ ...run, stderr: "open /x/talosconfig: no such file or directory\n" }, "10.0.0.2", 1000),
    ).toBe("open /x/talosconfig: no such file or directory");
  });
});

describe("checkTalosHealth: one etcd member down", () => {
  // Before: talosctl 1.14 exits 1 when one member is down, and the doctor reported all three members.
  it.each<TalosctlVersion>(["1.12", "1.13", "1.14"])(
    "talosctl %s: only the member that is down is reported, with talosctl's reason",
    async (version) => {
      const findings = await health({ version, nodes: threeMembers(), down: { "10.0.0.3": UNAVAILABLE } });
      expect(findings).toEqual([
        `talos-services Node cp-3: talosctl services did not answer: ${UNAVAILABLE}`,
        `etcd-health Node cp-3: etcd did not answer: ${UNAVAILABLE}`,
      ]);
    },
  );

  it("talosctl 1.14 with answers flushed one by one: still judged row by row", async () => {
    const nodes = threeMembers();
    const findings = await health({
      version: "1.14",
      flushEachRow: true,
      nodes: {
        ...nodes,
        "10.0.0.2": {
          etcd: healthyMember("bbbbbbbbbbbbbbbb", LEADER, { errors: "etcdserver: mvcc: database space exceeded" }),
          services: runningServices(),
        },
      },
      down: { "10.0.0.3": UNAVAILABLE },
    });
    expect(findings).toEqual([
      `talos-services Node cp-3: talosctl services did not answer: ${UNAVAILABLE}`,
      "etcd-health Node cp-2: etcd reports errors: etcdserver: mvcc: database space exceeded",
      `etcd-health Node cp-3: etcd did not answer: ${UNAVAILABLE}`,
    ]);
  });

  it.each<TalosctlVersion>(["1.12", "1.14"])("talosctl %s: a learner is reported by its own row", async (version) => {
    const nodes = threeMembers();
    const findings = await health({
      version,
      nodes: {
        ...nodes,
        "10.0.0.2": { etcd: healthyMember("bbbbbbbbbbbbbbbb", LEADER, { learner: true }), services: runningServices() },
      },
    });
    expect(findings).toEqual(["etcd-health Node cp-2: etcd member is still a learner"]);
  });

  it.each<TalosctlVersion>(["1.13", "1.14"])("talosctl %s: every member down: each named", async (version) => {
    const findings = await health(
      { version, nodes: threeMembers(), down: { "10.0.0.1": "boom 1", "10.0.0.2": "boom 2" } },
      CONTROL_PLANE.slice(0, 2),
    );
    expect(findings).toEqual([
      "talos-services Node cp-1: talosctl services did not answer: boom 1",
      "talos-services Node cp-2: talosctl services did not answer: boom 2",
      "etcd-health Node cp-1: etcd did not answer: boom 1",
      "etcd-health Node cp-2: etcd did not answer: boom 2",
    ]);
  });
});
