// Talos service health and etcd member health, read through talosctl when a talosconfig is available
// (`--talosconfig` or $TALOSCONFIG): `talosctl services` on every node, `talosctl etcd status` on the control
// plane. talosctl holds the mTLS setup; the tables it prints are parsed by their header names.
import type { V1Node } from "@kubernetes/client-node";
import { execa } from "execa";
import type { Finding } from "../../finding.js";

export interface TalosAccess {
  readonly talosconfig: string;
  /** @default "talosctl" */
  readonly bin?: string;
  readonly timeoutMs: number;
}

interface TalosNode {
  readonly name: string;
  readonly address: string;
  readonly controlPlane: boolean;
}

export function talosNodes(nodes: readonly V1Node[]): TalosNode[] {
  return nodes.flatMap((node) => {
    const address = node.status?.addresses?.find((entry) => entry.type === "InternalIP")?.address;
    if (!address) return [];
    const labels = node.metadata?.labels ?? {};
    return [
      {
        name: node.metadata?.name ?? address,
        address,
        controlPlane: "node-role.kubernetes.io/control-plane" in labels,
      },
    ];
  });
}

/** Rows of a talosctl table, keyed by its upper-case header names (columns split on 2+ spaces). */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((line) => line.trim());
  const [header, ...rows] = lines;
  if (!header) return [];
  const names = header.trim().split(/\s{2,}/);
  return rows.map((row) => {
    const cells = row.trim().split(/\s{2,}/);
    return Object.fromEntries(names.map((name, index) => [name, cells[index] ?? ""]));
  });
}

async function talosctl(access: TalosAccess, args: readonly string[]) {
  return execa(access.bin ?? "talosctl", ["--talosconfig", access.talosconfig, ...args], {
    reject: false,
    timeout: access.timeoutMs,
    stdin: "ignore",
    // The age key is not talosctl's business.
    env: { SOPS_AGE_KEY: "", SOPS_AGE_KEY_FILE: "" },
  });
}

const GOOD_STATES = new Set(["Running", "Finished", "Skipped"]);

export async function checkTalosHealth(nodes: readonly TalosNode[], access: TalosAccess): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const services = await talosctl(access, ["-n", node.address, "services"]);
    if (services.exitCode !== 0 || services.timedOut) {
      findings.push({
        rule: "talos-services",
        severity: "error",
        file: "live: talos",
        path: "",
        object: `Node ${node.name}`,
        message: `talosctl services did not answer: ${services.timedOut ? `no answer within ${access.timeoutMs / 1000}s` : String(services.stderr).split("\n")[0]}`,
        hint: `talosctl -n ${node.address} health; check the node's console`,
      });
      continue;
    }
    for (const row of parseTable(String(services.stdout))) {
      const state = row.STATE ?? "";
      const health = row.HEALTH ?? "";
      if (GOOD_STATES.has(state) && health !== "Fail") continue;
      findings.push({
        rule: "talos-services",
        severity: state === "Failed" || health === "Fail" ? "error" : "warning",
        file: "live: talos",
        path: "",
        object: `Node ${node.name}`,
        message: `service ${row.SERVICE}: ${state}, health ${health || "?"}${row["LAST EVENT"] ? ` — ${row["LAST EVENT"]}` : ""}`,
        hint: `talosctl -n ${node.address} logs ${row.SERVICE}`,
      });
    }
  }
  const controlPlane = nodes.filter((node) => node.controlPlane);
  if (controlPlane.length > 0) {
    const status = await talosctl(access, ["-n", controlPlane.map((node) => node.address).join(","), "etcd", "status"]);
    const rows = status.exitCode === 0 ? parseTable(String(status.stdout)) : [];
    const answered = new Set(rows.map((row) => row.NODE));
    for (const node of controlPlane) {
      const row = rows.find((candidate) => candidate.NODE === node.address);
      const problem = !answered.has(node.address)
        ? `etcd did not answer${status.exitCode !== 0 ? `: ${String(status.stderr).split("\n")[0]}` : ""}`
        : row?.ERRORS
          ? `etcd reports errors: ${row.ERRORS}`
          : row?.LEARNER === "true"
            ? "etcd member is still a learner"
            : undefined;
      if (!problem) continue;
      findings.push({
        rule: "etcd-health",
        severity: "error",
        file: "live: etcd",
        path: "",
        object: `Node ${node.name}`,
        message: problem,
        hint: `talosctl -n ${node.address} etcd status; talosctl -n ${node.address} logs etcd`,
      });
    }
  }
  return findings;
}
