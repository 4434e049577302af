// Quorum arithmetic checked against an independent model over every cluster of 1–9 members, any set down
// and any set learning: taking a node down may only be allowed when the healthy voters left form a majority.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEtcdQuorumWithout, type EtcdMemberState, type EtcdSnapshot } from "./etcd.js";

interface Shape {
  readonly healthy: boolean;
  readonly learner: boolean;
}

const snapshotOf = (shapes: readonly Shape[]): EtcdSnapshot => ({
  members: shapes.map((shape, index) => ({
    id: `id-${index}`,
    name: `node-${index}`,
    clientURLs: [`https://node-${index}:2379`],
    isLearner: shape.learner,
    healthy: shape.healthy,
    ...(shape.healthy ? {} : { problem: "down" }),
  })),
  alarms: [],
});

/** etcd's own rule: a majority of the voting members (learners never vote). */
const majorityOf = (voters: number) => Math.floor(voters / 2) + 1;

const shapes = fc.array(fc.record({ healthy: fc.boolean(), learner: fc.boolean() }), { minLength: 1, maxLength: 9 });

describe("etcd quorum (properties)", () => {
  it("never allows taking a node down when the healthy voters left are not a majority of the voters", () => {
    fc.assert(
      fc.property(shapes, fc.nat(8), (members, pick) => {
        const target = pick % members.length;
        const result = checkEtcdQuorumWithout(snapshotOf(members), `node-${target}`);
        const voters = members.filter((member) => !member.learner).length;
        const left = members.filter((member, index) => index !== target && member.healthy && !member.learner).length;
        if (result.ok) expect(left).toBeGreaterThanOrEqual(majorityOf(voters));
      }),
      { numRuns: 300 },
    );
  });

  it("without learners, allows exactly when the healthy others are a majority of all members", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }), fc.nat(8), (healthy, pick) => {
        const target = pick % healthy.length;
        const members = healthy.map((up) => ({ healthy: up, learner: false }));
        const left = healthy.filter((up, index) => index !== target && up).length;
        const result = checkEtcdQuorumWithout(snapshotOf(members), `node-${target}`);
        expect(result.ok).toBe(left >= majorityOf(healthy.length));
        if (healthy.length !== 2)
          expect(result.detail).toBe(
            `${left} healthy member(s) besides node-${target}, quorum is ${majorityOf(healthy.length)} of ${healthy.length}`,
          );
      }),
      { numRuns: 300 },
    );
  });

  it("a learner never counts toward the survivors", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(8), (voters, learnerCount) => {
        // One voter (the target) goes down; the others are healthy voters minus one plus healthy learners.
        const members: Shape[] = [
          ...Array.from({ length: voters }, () => ({ healthy: true, learner: false })),
          ...Array.from({ length: Math.min(learnerCount, 9 - voters) }, () => ({ healthy: true, learner: true })),
        ];
        const withLearners = checkEtcdQuorumWithout(snapshotOf(members), "node-0");
        const left = voters - 1;
        if (left < majorityOf(voters)) expect(withLearners.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe("etcd quorum (cases a mutation survived)", () => {
  const up = (name: string, extra: Partial<EtcdMemberState> = {}): EtcdMemberState => ({
    id: `id-${name}`,
    name,
    clientURLs: [`https://${name}:2379`],
    isLearner: false,
    healthy: true,
    ...extra,
  });

  it("4 members with one already down: taking a second one down is refused (quorum 3, not ceil(4/2)=2)", () => {
    const result = checkEtcdQuorumWithout(
      { members: [up("a"), up("b"), up("c"), up("d", { healthy: false, problem: "down" })], alarms: [] },
      "a",
    );
    expect(result).toEqual({ ok: false, detail: "2 healthy member(s) besides a, quorum is 3 of 4" });
  });

  it("4 healthy members: one may go down (3 left of quorum 3)", () => {
    expect(checkEtcdQuorumWithout({ members: [up("a"), up("b"), up("c"), up("d")], alarms: [] }, "a").ok).toBe(true);
  });

  it("a healthy learner does not make up for a down voter", () => {
    const result = checkEtcdQuorumWithout(
      {
        members: [up("a"), up("b"), up("c", { healthy: false, problem: "down" }), up("d", { isLearner: true })],
        alarms: [],
      },
      "a",
    );
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^1 healthy member\(s\) besides a/);
  });

  it("1 member: never allowed (its loss is the cluster's)", () => {
    expect(checkEtcdQuorumWithout({ members: [up("a")], alarms: [] }, "a")).toEqual({
      ok: false,
      detail: "0 healthy member(s) besides a, quorum is 1 of 1",
    });
  });
});
