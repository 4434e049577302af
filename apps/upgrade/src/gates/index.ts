// Builds each named gate from the clients it needs. Which gate uses which API is listed in the README.
import type { Talosctl } from "../talosctl.js";
import {
  checkEtcdMemberRejoined,
  checkEtcdMembersHealthy,
  checkEtcdNoAlarms,
  checkEtcdQuorumWithout,
  type EtcdConnection,
  inspectEtcd,
} from "./etcd.js";
import { type Gate, type GateResult, guardCheck } from "./gate.js";
import type { GateName } from "./names.js";
import {
  checkKubeletVersions,
  checkNodeReady,
  checkNodesReady,
  checkNoUpgradeInProgress,
  checkPodsRunning,
  type KubeClient,
} from "./nodes.js";
import { checkTalosVersion } from "./talos.js";

export interface GateClients {
  readonly talosctl: Talosctl;
  readonly kube: KubeClient;
  readonly etcd: EtcdConnection;
  /** Deadline of one talosctl read (version). @default 10000 */
  readonly callTimeoutMs?: number;
  /** Deadline of one gate check (which may make several calls); a check that does not answer fails. @default 60000 */
  readonly checkTimeoutMs?: number;
}

export interface GateSubject {
  readonly node?: { readonly hostname: string; readonly address: string; readonly controlPlane: boolean };
  readonly talos?: string;
  readonly kubernetes?: string;
  /** Hostnames the model declares; `kube-nodes-ready` fails when one is not registered. */
  readonly expectedNodes?: readonly string[];
  /** The model's nodes with their addresses (for per-node Talos reads). */
  readonly modelNodes?: readonly { readonly hostname: string; readonly address: string }[];
}

const notControlPlane = (hostname: string): GateResult => ({
  ok: true,
  detail: `${hostname} is not a control-plane node: no etcd member`,
});

function need<T>(value: T | undefined, gate: GateName, what: string): T {
  if (value === undefined) throw new Error(`gate ${gate} needs ${what}`);
  return value;
}

export function makeGate(name: GateName, clients: GateClients, subject: GateSubject): Gate {
  const node = subject.node;
  const run = (check: () => Promise<GateResult>): Gate => ({
    name,
    check: () => guardCheck(check, clients.checkTimeoutMs),
  });
  switch (name) {
    case "no-upgrade-in-progress":
      return run(async () => {
        const machineStage = clients.talosctl.machineStage?.bind(clients.talosctl);
        const stages = machineStage
          ? await Promise.all(
              (subject.modelNodes ?? []).map(async (entry) => {
                try {
                  const stage = await machineStage(entry.address, { timeoutMs: clients.callTimeoutMs ?? 10_000 });
                  return { hostname: entry.hostname, stage };
                } catch (error) {
                  return { hostname: entry.hostname, error: (error as Error).message };
                }
              }),
            )
          : [];
        return checkNoUpgradeInProgress(await clients.kube.listNodes(), stages);
      });
    case "kube-nodes-ready":
      return run(async () => checkNodesReady(await clients.kube.listNodes(), subject.expectedNodes));
    case "kube-node-ready":
      return run(async () => checkNodeReady(await clients.kube.listNodes(), need(node, name, "a node").hostname));
    case "pods-running":
      return run(async () => checkPodsRunning(await clients.kube.listPods()));
    case "kubelet-version":
      return run(async () =>
        checkKubeletVersions(await clients.kube.listNodes(), need(subject.kubernetes, name, "a version")),
      );
    case "etcd-members-healthy":
      return run(async () => checkEtcdMembersHealthy(await inspectEtcd(clients.etcd)));
    case "etcd-no-alarms":
      return run(async () => checkEtcdNoAlarms(await inspectEtcd(clients.etcd)));
    case "etcd-quorum-without-node":
      return run(async () => {
        const target = need(node, name, "a node");
        if (!target.controlPlane) return notControlPlane(target.hostname);
        return checkEtcdQuorumWithout(await inspectEtcd(clients.etcd), target.hostname);
      });
    case "etcd-member-rejoined":
      return run(async () => {
        const target = need(node, name, "a node");
        if (!target.controlPlane) return notControlPlane(target.hostname);
        return checkEtcdMemberRejoined(await inspectEtcd(clients.etcd), target.hostname);
      });
    case "talos-version":
      return run(async () => {
        const target = need(node, name, "a node");
        return checkTalosVersion({
          talosctl: clients.talosctl,
          address: target.address,
          hostname: target.hostname,
          version: need(subject.talos, name, "a version"),
          timeoutMs: clients.callTimeoutMs ?? 10_000,
        });
      });
  }
}
