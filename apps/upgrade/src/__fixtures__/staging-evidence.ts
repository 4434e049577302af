// A healthy staging evidence body (two nodes at v1.13.9 / v1.35.2), for the promotion tests to edit.
import type { EvidenceBody } from "../evidence.js";

export function stagingEvidence(recordedAt: string, extra: Partial<EvidenceBody> = {}): EvidenceBody {
  return {
    version: 2,
    cluster: "staging",
    environment: "staging",
    identity: { etcdClusterId: "1", vip: "192.168.2.100" },
    talos: "v1.13.9",
    kubernetes: "v1.35.2",
    healthy: true,
    recordedAt,
    nodes: [
      { hostname: "stg-1", talos: "v1.13.9", kubelet: "v1.35.2", ready: true },
      { hostname: "stg-2", talos: "v1.13.9", kubelet: "v1.35.2", ready: true },
    ],
    checks: [{ gate: "kube-nodes-ready", detail: "passed" }],
    ...extra,
  };
}
