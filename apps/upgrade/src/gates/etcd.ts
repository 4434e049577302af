// etcd health straight from the etcd v3 API with a client certificate issued from the cluster's etcd CA.
// Talos' own quorum check is gone from the streaming upgrade API (talos.md §4), so we do it here.
import { noop } from "cockatiel";
import { Etcd3 } from "etcd3";
import type { GateResult } from "./gate.js";

/** PEM client credentials for etcd, e.g. issued by @kubeforge/talos from the bundle's etcd CA. */
export interface EtcdCredentials {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface EtcdConnection {
  /** Client URLs to start from, e.g. https://192.168.1.101:2379. */
  readonly endpoints: readonly string[];
  readonly credentials: EtcdCredentials;
  /** Deadline of each etcd call. @default 3000 */
  readonly callTimeoutMs?: number;
}

export interface EtcdMemberState {
  readonly id: string;
  /** Empty while the member has not started (Talos names members after the node hostname). */
  readonly name: string;
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
  readonly healthy: boolean;
  /** Why it is not healthy. */
  readonly problem?: string;
  readonly leader?: string;
}

export interface EtcdSnapshot {
  readonly members: readonly EtcdMemberState[];
  readonly alarms: readonly { readonly memberId: string; readonly alarm: string }[];
  /** Name of the leader most members agree on. */
  readonly leader?: string;
  /** The etcd cluster ID (random at bootstrap): identifies the cluster. */
  readonly clusterId?: string;
}

function openClient(connection: EtcdConnection, hosts: readonly string[]): Etcd3 {
  const timeout = connection.callTimeoutMs ?? 3000;
  return new Etcd3({
    hosts: [...hosts],
    credentials: {
      rootCertificate: Buffer.from(connection.credentials.ca),
      certChain: Buffer.from(connection.credentials.cert),
      privateKey: Buffer.from(connection.credentials.key),
    },
    dialTimeout: timeout,
    // Fail fast and let the gate's own poll loop retry: a down member must show up as down.
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
  });
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

async function probeMember(connection: EtcdConnection, member: { name: string; clientURLs: string[] }) {
  if (!member.name) return { healthy: false, problem: "not started (no name yet)" };
  if (member.clientURLs.length === 0) return { healthy: false, problem: "advertises no client URL" };
  let client: Etcd3 | undefined;
  try {
    client = openClient(connection, member.clientURLs);
    const status = await client.maintenance.status();
    // A linearizable read through this member proves it is connected to a quorum (etcd's own /health).
    await client.get("health").string();
    const errors = status.errors ?? [];
    if (errors.length > 0) return { healthy: false, problem: errors.join("; "), leader: status.leader };
    if (!status.leader || status.leader === "0") return { healthy: false, problem: "has no leader" };
    return { healthy: true, leader: status.leader };
  } catch (error) {
    return { healthy: false, problem: reason(error) };
  } finally {
    client?.close();
  }
}

/** Member list and alarms from the first endpoint that answers (a down member must not hide the others). */
async function readCluster(connection: EtcdConnection) {
  let last: unknown = new Error("no etcd endpoint given");
  for (const endpoint of connection.endpoints) {
    let client: Etcd3 | undefined;
    try {
      client = openClient(connection, [endpoint]);
      const list = await client.cluster.memberList({ linearizable: true } as never);
      const alarms = await client.maintenance.alarm({ action: "Get" });
      return { members: list.members, alarms: alarms.alarms ?? [], clusterId: list.header?.cluster_id };
    } catch (error) {
      last = error;
    } finally {
      client?.close();
    }
  }
  throw new Error(`no etcd endpoint answered (${connection.endpoints.join(", ")}): ${reason(last)}`);
}

/** Reads the member list, each member's status and health, and the alarms. Throws when no endpoint answers. */
export async function inspectEtcd(connection: EtcdConnection): Promise<EtcdSnapshot> {
  const { members: listed, alarms, clusterId } = await readCluster(connection);
  const members = await Promise.all(
    listed.map(async (member) => {
      const probe = await probeMember(connection, member);
      return {
        id: member.ID,
        name: member.name,
        clientURLs: member.clientURLs,
        isLearner: Boolean(member.isLearner),
        ...probe,
      };
    }),
  );
  const leaderId = members.find((member) => member.healthy)?.leader;
  const leader = members.find((member) => member.id === leaderId)?.name;
  return {
    members,
    alarms: alarms.map((alarm) => ({ memberId: alarm.memberID, alarm: String(alarm.alarm) })),
    ...(leader ? { leader } : {}),
    ...(clusterId ? { clusterId } : {}),
  };
}

function describe(member: EtcdMemberState): string {
  return member.name || `member ${member.id}`;
}

/** Every member started, not a learner and healthy. */
export function checkEtcdMembersHealthy(snapshot: EtcdSnapshot): GateResult {
  const bad = snapshot.members.filter((member) => !member.healthy || member.isLearner || !member.name);
  if (bad.length === 0)
    return { ok: true, detail: `${snapshot.members.length}/${snapshot.members.length} members healthy` };
  const problems = bad.map((member) => `${describe(member)}: ${member.isLearner ? "is a learner" : member.problem}`);
  return { ok: false, detail: problems.join("; ") };
}

export function checkEtcdNoAlarms(snapshot: EtcdSnapshot): GateResult {
  if (snapshot.alarms.length === 0) return { ok: true, detail: "no alarms" };
  const named = snapshot.alarms.map((alarm) => {
    const member = snapshot.members.find((candidate) => candidate.id === alarm.memberId);
    return `${alarm.alarm} on ${member ? describe(member) : `member ${alarm.memberId}`}`;
  });
  return { ok: false, detail: `alarms raised: ${named.join(", ")}` };
}

/**
 * With `hostname`'s member down, do the remaining healthy members still form a quorum? Only asked for
 * control-plane nodes: one with no member under its name is refused, because its own member would then be
 * counted among the survivors and `etcd-member-rejoined` could never pass once the node is rebooted.
 */
export function checkEtcdQuorumWithout(snapshot: EtcdSnapshot, hostname: string): GateResult {
  const total = snapshot.members.length;
  if (total === 2) {
    return { ok: false, detail: "the cluster has exactly 2 members: losing either one loses quorum" };
  }
  const quorum = Math.floor(total / 2) + 1;
  const others = snapshot.members.filter((member) => member.name !== hostname && member.healthy && !member.isLearner);
  const own = snapshot.members.some((member) => member.name === hostname);
  if (!own) {
    const names = snapshot.members.map(describe).join(", ");
    return {
      ok: false,
      detail: `${hostname} is not an etcd member by that name (members: ${names}): the model's hostname must match the node's etcd member`,
    };
  }
  const detail = `${others.length} healthy member(s) besides ${hostname}, quorum is ${quorum} of ${total}`;
  return { ok: others.length >= quorum, detail };
}

/** The node's member is back: in the list, started, voting and healthy. */
export function checkEtcdMemberRejoined(snapshot: EtcdSnapshot, hostname: string): GateResult {
  const member = snapshot.members.find((candidate) => candidate.name === hostname);
  if (!member) return { ok: false, detail: `no started member named ${hostname} in the member list` };
  if (member.isLearner) return { ok: false, detail: `${hostname} is still a learner` };
  if (!member.healthy) return { ok: false, detail: `${hostname}: ${member.problem}` };
  return { ok: true, detail: `${hostname} rejoined and is healthy` };
}
