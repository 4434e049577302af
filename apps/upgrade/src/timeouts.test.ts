import { compareVersions, mustParseVersion, sameVersion } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { parseTimeouts, UsageError } from "./commands/flags.js";
import { formatDuration, parseDuration } from "./timeouts.js";

describe("durations and timeouts", () => {
  it("parses ms, s, m, h and bare seconds", () => {
    expect([
      parseDuration("500ms"),
      parseDuration("90s"),
      parseDuration("5m"),
      parseDuration("1h"),
      parseDuration("2"),
    ]).toEqual([500, 90_000, 300_000, 3_600_000, 2000]);
    expect(parseDuration("soon")).toBeUndefined();
    expect([formatDuration(250), formatDuration(12_345), formatDuration(125_000)]).toEqual(["250ms", "12.3s", "2m05s"]);
  });

  it("--timeout sets one gate or every gate, and rejects unknown gates", () => {
    expect(parseTimeouts(["etcd-member-rejoined=90s"])).toEqual({ "etcd-member-rejoined": 90_000 });
    const all = parseTimeouts(["2m"]);
    expect(all["pods-running"]).toBe(120_000);
    expect(all.upgrade).toBeUndefined();
    expect(() => parseTimeouts(["etcd=1m"])).toThrow(UsageError);
    expect(() => parseTimeouts(["kube-node-ready=later"])).toThrow(/not a duration/);
  });
});

describe("versions", () => {
  it("orders releases and pre-releases", () => {
    expect(compareVersions(mustParseVersion("v1.14.0-rc.1"), mustParseVersion("v1.14.0"))).toBeLessThan(0);
    expect(compareVersions(mustParseVersion("v1.13.10"), mustParseVersion("v1.13.9"))).toBeGreaterThan(0);
    expect(sameVersion("1.35.2", "v1.35.2")).toBe(true);
    expect(() => mustParseVersion("latest")).toThrow('"latest" is not a version like v1.13.9');
  });
});
