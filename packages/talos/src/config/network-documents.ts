// Network documents that replaced `.machine.network` in Talos 1.12: hostname, links (NIC by hardware, bond,
// bridge, VLANs, MTU, DHCP), the Layer2 VIP, resolver and time. The same documents on 1.12 to 1.14.
import type { NodeContext } from "./context.js";
import { type ConfigDocument, typedDocument } from "./documents.js";

function prefixLength(cidr: string): string {
  return cidr.split("/")[1] ?? "32";
}

/** The node address and default route, unless the uplink takes them by DHCP. */
function uplinkAddressing(context: NodeContext): Record<string, unknown> {
  const { cluster, node } = context;
  if (node.network.dhcp) return {};
  return {
    addresses: [{ address: `${node.address}/${prefixLength(cluster.network.nodeCidr)}` }],
    routes: [{ gateway: cluster.network.gateway }],
  };
}

function mtu(value: number | undefined): Record<string, unknown> {
  return value === undefined ? {} : { mtu: value };
}

function linkDocuments(context: NodeContext): ConfigDocument[] {
  const { node, links } = context;
  const { bond, bridge } = node.network;
  const documents: ConfigDocument[] = [];
  // Hardware-selected NICs get an alias the other documents name.
  if (node.mac !== undefined || node.linkMatch !== undefined) {
    const match = node.mac !== undefined ? `mac(link.permanent_addr) == "${node.mac}"` : (node.linkMatch as string);
    documents.push(typedDocument("LinkAliasConfig", { name: links.base, selector: { match } }));
  }
  bond?.members.forEach((mac, index) => {
    documents.push(
      typedDocument("LinkAliasConfig", {
        name: links.bondMembers[index],
        selector: { match: `mac(link.permanent_addr) == "${mac}"` },
      }),
    );
  });
  const onUplink = { up: true, ...mtu(node.network.mtu), ...uplinkAddressing(context) };
  const plain = { up: true, ...mtu(node.network.mtu) };
  if (bond) {
    documents.push(
      typedDocument("BondConfig", {
        name: bond.name,
        links: [...links.bondMembers],
        bondMode: bond.mode,
        miimon: bond.miimon,
        ...(bond.lacpRate !== undefined ? { lacpRate: bond.lacpRate } : {}),
        ...(bond.xmitHashPolicy !== undefined ? { xmitHashPolicy: bond.xmitHashPolicy } : {}),
        ...(bridge ? plain : onUplink),
      }),
    );
  } else {
    documents.push(typedDocument("LinkConfig", { name: links.base, ...(bridge ? plain : onUplink) }));
  }
  if (bridge) {
    documents.push(
      typedDocument("BridgeConfig", {
        name: bridge.name,
        links: [links.base],
        stp: { enabled: bridge.stp },
        ...onUplink,
      }),
    );
  }
  if (node.network.dhcp) documents.push(typedDocument("DHCPv4Config", { name: links.uplink }));
  node.network.vlans.forEach((vlan, index) => {
    const name = links.vlans[index] as string;
    documents.push(
      typedDocument("VLANConfig", {
        name,
        vlanID: vlan.id,
        parent: vlan.parent ?? links.uplink,
        up: true,
        ...mtu(vlan.mtu),
        ...(vlan.addresses.length > 0 ? { addresses: vlan.addresses.map((address) => ({ address })) } : {}),
      }),
    );
    if (vlan.dhcp) documents.push(typedDocument("DHCPv4Config", { name }));
  });
  return documents;
}

export function renderNetworkDocuments(context: NodeContext, options: { hostDns: boolean }): ConfigDocument[] {
  const { cluster, node } = context;
  const documents: ConfigDocument[] = [
    typedDocument("HostnameConfig", { hostname: node.hostname }),
    ...linkDocuments(context),
  ];
  if (context.talosVip) {
    documents.push(typedDocument("Layer2VIPConfig", { name: cluster.api.vip, link: context.links.vip }));
  }
  documents.push(
    typedDocument("ResolverConfig", {
      nameservers: cluster.network.nameservers.map((address) => ({ address })),
      // 1.14 moved host DNS from machine.features into the resolver document.
      ...(options.hostDns ? { hostDNS: { enabled: true, forwardKubeDNSToHost: true } } : {}),
    }),
  );
  documents.push(typedDocument("TimeSyncConfig", { ntp: { servers: [...cluster.network.ntpServers] } }));
  return documents;
}
