import { z } from "zod";
import { cidr, dnsDomain, ipAddress } from "./primitives.js";

export const networkSchema = z
  .strictObject({
    nodeCidr: cidr.describe("The subnet every node and the API VIP live in, e.g. 192.168.1.0/24."),
    gateway: ipAddress.describe("Default gateway of the node subnet."),
    nameservers: z.array(ipAddress).min(1).describe("DNS resolvers the nodes use."),
    ntpServers: z
      .array(z.string().min(1))
      .default(["time.cloudflare.com"])
      .describe("NTP servers the nodes sync time from."),
    podCidr: cidr.default("10.244.0.0/16").describe("Pod network; must not overlap the node or service networks."),
    serviceCidr: cidr.default("10.96.0.0/12").describe("Service network; at least a /24 and at most a /12 (IPv4)."),
    clusterDomain: dnsDomain.default("cluster.local").describe("The cluster DNS domain CoreDNS serves."),
  })
  .describe("Node, pod and service networking.");

export const apiSchema = z
  .strictObject({
    vip: ipAddress.describe(
      "Virtual IP the Kubernetes API answers on; inside nodeCidr, not used by a node or the gateway.",
    ),
    provider: z
      .enum(["kube-vip", "talos"])
      .default("talos")
      .describe("Who holds the VIP: Talos' own Layer2 VIP, or kube-vip as a static pod/DaemonSet."),
    port: z.number().int().min(1).max(65535).default(6443).describe("Kubernetes API port."),
    certSANs: z
      .array(z.string().min(1))
      .default([])
      .describe("Extra names or addresses for the API server certificate."),
  })
  .describe("The Kubernetes API endpoint.");

export type Network = z.infer<typeof networkSchema>;
export type Api = z.infer<typeof apiSchema>;
