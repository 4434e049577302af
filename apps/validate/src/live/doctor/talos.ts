// Talos service health and etcd member health, read through talosctl when a talosconfig is available
// (`--talosconfig` or $TALOSCONFIG): `talosctl services` on every node, `talosctl etcd status` on the control
// plane. talosctl holds the mTLS setup; the tables it prints are parsed by their header names.
import type { V1Node } from "@kubernetes/client-node";
import { execa } from "execa";
import type { Finding } from "../../finding.js";
import { missingReason, parseTable, type TalosctlRun } from "./talosctl-output.js";

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

async function talosctl(access: TalosAccess, args: readonly string[]): Promise<TalosctlRun> {
  const result = await execa(access.bin ?? "talosctl", ["--talosconfig", access.talosconfig, ...args], {
    reject: false,
    timeout: access.timeoutMs,
    stdin: "ignore",
    // The age key is not talosctl's business.
    env: { SOPS_AGE_KEY: "", SOPS_AGE_KEY_FILE: "" },
  });
  return {
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    exitCode: result.exitCode,
    timedOut: result.timedOut,
  };
}

const GOOD_STATES = new Set(["Running", "Finished", "Skipped"]);

export async function checkTalosHealth(nodes: readonly TalosNode[], access: TalosAccess): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const services = await talosctl(access, ["-n", node.address, "services"]);
    // Judged by this node's rows, not the exit code: talosctl 1.12/1.13 exit 0 with only a WARNING when the
    // node fails behind apid, 1.14 exits 1 after printing the header.
    const rows = parseTable(services.stdout).filter((row) => !row.NODE || row.NODE === node.address);
    if (rows.length === 0) {
      findings.push({
        rule: "talos-services",
        severity: "error",
        file: "live: talos",
        path: "",
        object: `Node ${node.name}`,
        message: `talosctl services did not answer: ${missingReason(services, node.address, access.timeoutMs)}`,
        hint: `talosctl -n ${node.address} health; check the node's console`,
      });
      continue;
    }
    for (const row of rows) {
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
    // Every row talosctl printed counts, whatever the exit code: 1.14 exits 1 when one member is down but still
    // prints the others' rows; a member without a row is reported with the reason talosctl gave for it.
    const rows = parseTable(status.stdout);
    for (const node of controlPlane) {
      const row = rows.find((candidate) => candidate.NODE === node.address);
      const problem = !row
        ? `etcd did not answer: ${missingReason(status, node.address, access.timeoutMs)}`
        : row.ERRORS
          ? `etcd reports errors: ${row.ERRORS}`
          : row.LEARNER === "true"
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
