// The names of a node's links as the Talos documents, the checks and kube-vip see them. One place decides
// which link carries the node address and the VIP, so they cannot disagree.
import type { Node } from "./schema/nodes.js";

/** Alias a hardware-selected NIC gets, so the other documents can name it. */
export const UPLINK_ALIAS = "uplink";

export interface NodeLinks {
  /** The NIC (alias or kernel name) or bond the uplink is built on. */
  readonly base: string;
  /** The link that carries the node address: the bridge, else the base. */
  readonly uplink: string;
  /** Aliases of bond members, in the order of `network.bond.members`. */
  readonly bondMembers: readonly string[];
  /** VLAN link names, in the order of `network.vlans`. */
  readonly vlans: readonly string[];
  /** The link that holds the API VIP. */
  readonly vip: string;
  /** The kernel name of the VIP link when the model fixes it; undefined for a MAC-selected NIC. */
  readonly kernelVip?: string;
  /** Every link name this node defines. */
  readonly all: ReadonlySet<string>;
  /** The kernel name of the uplink when the model fixes it (kube-vip needs one); undefined for a MAC-selected NIC. */
  readonly kernelUplink?: string;
}

export function vlanName(vlan: { id: number; name?: string | undefined }): string {
  return vlan.name ?? `vlan${vlan.id}`;
}

export function nodeLinks(node: Node): NodeLinks {
  const { bond, bridge, vlans } = node.network;
  const nic = node.mac !== undefined || node.linkMatch !== undefined ? UPLINK_ALIAS : (node.interface ?? UPLINK_ALIAS);
  const bondMembers = bond ? bond.members.map((_, index) => `${bond.name}-port${index}`) : [];
  const base = bond ? bond.name : nic;
  const uplink = bridge ? bridge.name : base;
  const vlanNames = vlans.map(vlanName);
  const all = new Set([...(bond ? bondMembers : [nic]), base, uplink, ...vlanNames]);
  const vip = node.network.vipLink ?? uplink;
  const kernelUplink = bridge ? bridge.name : bond ? bond.name : nic === UPLINK_ALIAS ? undefined : nic;
  return {
    base,
    uplink,
    bondMembers,
    vlans: vlanNames,
    vip,
    all,
    ...(kernelUplink !== undefined ? { kernelUplink } : {}),
    ...(vip === UPLINK_ALIAS ? {} : vip === uplink && kernelUplink === undefined ? {} : { kernelVip: vip }),
  };
}
