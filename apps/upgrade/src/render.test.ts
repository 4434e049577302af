import { describe, expect, it } from "vitest";
import { renderStatus } from "./render.js";
import type { UpgradeState } from "./state.js";

const state: UpgradeState = {
  version: 1,
  cluster: "lab",
  environment: "staging",
  target: { talos: "v1.13.9", kubernetes: "v1.35.2" },
  status: "running",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  completed: [],
  backup: {
    file: "/state/lab.backups/lab-etcd.snapshot",
    bytes: 20_512,
    revision: "42",
    sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    member: "https://10.0.0.11:2379",
    at: "2026-01-01T00:00:01.000Z",
  },
};

describe("status", () => {
  it("shows the cluster lock's holder and the etcd backup", () => {
    const text = renderStatus(state, undefined, {
      holder: "host/123/uuid",
      renewTime: "2026-01-01T00:00:05.000Z",
      expired: false,
    });
    expect(text).toContain(
      "cluster lock: Lease kube-system/kubeforge-upgrade held by host/123/uuid, renewed 2026-01-01T00:00:05.000Z",
    );
    expect(text).toContain("etcd backup: /state/lab.backups/lab-etcd.snapshot (20512 bytes, revision 42");
    expect(renderStatus(undefined, undefined, { expired: true })).toBe(
      "No upgrade recorded for this cluster.\ncluster lock: free",
    );
  });
});
