// A node's links beyond one plain uplink: bonds, bridges, VLANs, MTU and DHCP. Rendered as Talos' typed
// network documents (BondConfig, BridgeConfig, VLANConfig, DHCPv4Config), the same for 1.12 to 1.14.
import ipaddr from "ipaddr.js";
import { z } from "zod";

/** A MAC address in any case; stored lower-case, as Talos compares it. */
export const hardwareAddress = z
  .string()
  .regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { message: "must be a MAC address, e.g. 52:54:00:12:34:56" })
  .transform((value) => value.toLowerCase());

/** A Linux link name (at most 15 characters). */
export const linkName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}$/, {
  message: "must be a link name of at most 15 letters, digits, '.', '_' or '-'",
});

const addressWithPrefix = z.string().refine(
  (value) => {
    try {
      ipaddr.parseCIDR(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be an address with its prefix length, e.g. 10.0.20.5/24" },
);

const mtu = z.number().int().min(576).max(9216);

export const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
] as const;

export const bondSchema = z
  .strictObject({
    name: linkName.default("bond0").describe("Bond link name."),
    members: z
      .array(hardwareAddress)
      .min(1)
      .describe("MAC addresses of the member NICs (selected by hardware, never by name)."),
    mode: z.enum(BOND_MODES).default("802.3ad").describe("Bonding mode; 802.3ad (LACP) needs switch support."),
    lacpRate: z.enum(["slow", "fast"]).optional().describe("LACP rate (802.3ad only)."),
    xmitHashPolicy: z.enum(["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"]).optional(),
    miimon: z.number().int().min(0).default(100).describe("Link monitoring interval in ms."),
  })
  .describe("Bonds member NICs into the node's uplink; the node address moves to the bond.");

export const bridgeSchema = z
  .strictObject({
    name: linkName.default("br0").describe("Bridge link name."),
    stp: z.boolean().default(false).describe("Enable spanning tree."),
  })
  .describe("Bridges the uplink (NIC or bond), e.g. for VMs; the node address moves to the bridge.");

export const vlanSchema = z
  .strictObject({
    id: z.number().int().min(1).max(4094).describe("VLAN id."),
    name: linkName.optional().describe("Link name; defaults to vlan<id>."),
    parent: linkName.optional().describe("Parent link; defaults to the node's uplink."),
    addresses: z.array(addressWithPrefix).default([]).describe("Static addresses on the VLAN, e.g. 10.0.20.5/24."),
    dhcp: z.boolean().default(false).describe("Take an address by DHCPv4 on the VLAN."),
    mtu: mtu.optional(),
  })
  .describe("An 802.1Q VLAN on the uplink or another link.");

export const nodeNetworkSchema = z
  .strictObject({
    mtu: mtu.optional().describe("MTU of the uplink (e.g. 9000 for jumbo frames)."),
    dhcp: z
      .boolean()
      .default(false)
      .describe("Take the uplink address by DHCPv4; `address` is then the lease reserved for the node."),
    bond: bondSchema.optional(),
    bridge: bridgeSchema.optional(),
    vlans: z.array(vlanSchema).default([]),
    vipLink: linkName
      .optional()
      .describe("Link that holds the API VIP (Talos provider); defaults to the uplink. Must be a link of this node."),
  })
  .describe("The node's links: MTU, DHCP, bond, bridge and VLANs.");

export type NodeNetwork = z.infer<typeof nodeNetworkSchema>;
export type Bond = z.infer<typeof bondSchema>;
export type Vlan = z.infer<typeof vlanSchema>;
