// Network documents that replaced `.machine.network` in Talos 1.12: hostname, link, VIP, resolver, time.
import type { NodeContext } from "./context.js";
import { type ConfigDocument, typedDocument } from "./documents.js";

function prefixLength(cidr: string): string {
  return cidr.split("/")[1] ?? "32";
}

export function renderNetworkDocuments(context: NodeContext, options: { hostDns: boolean }): ConfigDocument[] {
  const { cluster, node } = context;
  const documents: ConfigDocument[] = [typedDocument("HostnameConfig", { hostname: node.hostname })];
  if (node.mac !== undefined) {
    documents.push(
      typedDocument("LinkAliasConfig", {
        name: context.link,
        selector: { match: `mac(link.permanent_addr) == "${node.mac.toLowerCase()}"` },
      }),
    );
  }
  documents.push(
    typedDocument("LinkConfig", {
      name: context.link,
      up: true,
      addresses: [{ address: `${node.address}/${prefixLength(cluster.network.nodeCidr)}` }],
      routes: [{ gateway: cluster.network.gateway }],
    }),
  );
  if (context.talosVip) {
    documents.push(typedDocument("Layer2VIPConfig", { name: cluster.api.vip, link: context.link }));
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
