import { describe, expect, it } from "vitest";
import {
  checkEtcdMemberRejoined,
  checkEtcdMembersHealthy,
  checkEtcdNoAlarms,
  checkEtcdQuorumWithout,
  type EtcdMemberState,
  type EtcdSnapshot,
  inspectEtcd,
} from "./etcd.js";

const member = (name: string, healthy = true, extra: Partial<EtcdMemberState> = {}): EtcdMemberState => ({
  id: `id-${name || "new"}`,
  name,
  clientURLs: name ? [`https://${name}:2379`] : [],
  isLearner: false,
  healthy,
  ...(healthy ? {} : { problem: "context deadline exceeded" }),
  ...extra,
});
const snapshot = (members: EtcdMemberState[], alarms: EtcdSnapshot["alarms"] = []): EtcdSnapshot => ({
  members,
  alarms,
});

describe("etcd gates", () => {
  it("healthy members pass, and each bad one is named with its problem", () => {
    expect(checkEtcdMembersHealthy(snapshot([member("a"), member("b"), member("c")]))).toEqual({
      ok: true,
      detail: "3/3 members healthy",
    });
    const result = checkEtcdMembersHealthy(
      snapshot([
        member("a"),
        member("b", false),
        member("", false, { problem: "not started (no name yet)" }),
        member("d", true, { isLearner: true }),
      ]),
    );
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      "b: context deadline exceeded; member id-new: not started (no name yet); d: is a learner",
    );
  });

  it("alarms name the member they are raised on", () => {
    expect(checkEtcdNoAlarms(snapshot([member("a")], [{ memberId: "id-a", alarm: "NOSPACE" }]))).toEqual({
      ok: false,
      detail: "alarms raised: NOSPACE on a",
    });
    expect(checkEtcdNoAlarms(snapshot([member("a")])).ok).toBe(true);
  });

  it("quorum with the node down: 3 members tolerate one, not two; 2 members never", () => {
    expect(checkEtcdQuorumWithout(snapshot([member("a"), member("b"), member("c")]), "a")).toEqual({
      ok: true,
      detail: "2 healthy member(s) besides a, quorum is 2 of 3",
    });
    expect(checkEtcdQuorumWithout(snapshot([member("a"), member("b", false), member("c")]), "a").ok).toBe(false);
    expect(checkEtcdQuorumWithout(snapshot([member("a"), member("b")]), "a")).toEqual({
      ok: false,
      detail: "the cluster has exactly 2 members: losing either one loses quorum",
    });
    expect(
      checkEtcdQuorumWithout(snapshot([member("a"), member("b"), member("c"), member("d", false), member("e")]), "a")
        .ok,
    ).toBe(true);
    // A control-plane node whose member is not listed under its hostname: its member would count as a survivor.
    expect(checkEtcdQuorumWithout(snapshot([member("a"), member("b"), member("c")]), "cp-x")).toEqual({
      ok: false,
      detail:
        "cp-x is not an etcd member by that name (members: a, b, c): the model's hostname must match the node's etcd member",
    });
  });

  it("rejoined means listed under the node's hostname, voting and healthy", () => {
    expect(checkEtcdMemberRejoined(snapshot([member("a")]), "b")).toEqual({
      ok: false,
      detail: "no started member named b in the member list",
    });
    expect(checkEtcdMemberRejoined(snapshot([member("b", true, { isLearner: true })]), "b").detail).toBe(
      "b is still a learner",
    );
    expect(checkEtcdMemberRejoined(snapshot([member("b", false)]), "b").detail).toBe("b: context deadline exceeded");
    expect(checkEtcdMemberRejoined(snapshot([member("b")]), "b").ok).toBe(true);
  });

  it("inspectEtcd throws naming the endpoints when none answers", async () => {
    await expect(
      inspectEtcd({
        endpoints: ["https://127.0.0.1:1"],
        credentials: { ca: "", cert: "", key: "" },
        callTimeoutMs: 300,
      }),
    ).rejects.toThrow(/no etcd endpoint answered \(https:\/\/127\.0\.0\.1:1\)/);
  });
});
