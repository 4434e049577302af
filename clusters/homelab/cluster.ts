// The seed's production cluster: three dual-purpose Talos nodes behind an API VIP, Cilium, OIDC via Zitadel.
import { defineCluster } from "@kubeforge/config";

const DEMO_AGE_RECIPIENT = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8"; // demo only: see demo-keys/README.md

// CubeFS keeps metanode/master data on an SSD and datanode data on an HDD, both mounted under /var/mnt.
const DATA_DISKS = [
  { name: "cubefs-meta", disk: { type: "ssd" as const }, cubefs: "meta" as const },
  { name: "cubefs-data", disk: { type: "hdd" as const }, cubefs: "data" as const },
];

export default defineCluster({
  name: "homelab",
  environment: "production",
  talos: {
    version: "v1.13.9",
    // Disks and NICs by hardware, never by /dev or ethN name: those change with firmware, slots and boot order.
    installDisk: { type: "nvme" },
    schematic: { extensions: ["siderolabs/intel-ucode", "siderolabs/util-linux-tools"] },
  },
  kubernetes: { version: "v1.35.2" },
  network: {
    nodeCidr: "192.168.1.0/24",
    gateway: "192.168.1.1",
    nameservers: ["192.168.1.1", "1.1.1.1"],
    ntpServers: ["time.cloudflare.com"],
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/12",
  },
  api: { vip: "192.168.1.100", provider: "talos" },
  nodes: [
    { hostname: "node-1", address: "192.168.1.101", mac: "52:54:00:1a:01:01", disks: DATA_DISKS },
    { hostname: "node-2", address: "192.168.1.102", mac: "52:54:00:1a:01:02", disks: DATA_DISKS },
    { hostname: "node-3", address: "192.168.1.103", mac: "52:54:00:1a:01:03", disks: DATA_DISKS },
  ],
  cilium: { kubeProxyReplacement: true, hubble: true },
  oidc: {
    issuerUrl: "https://auth.homelab.local",
    clientId: "kubernetes",
    usernameClaim: "email",
    groupsClaim: "groups",
    bindings: [
      { group: "admins@homelab.local", clusterRole: "cluster-admin" },
      { group: "developers@homelab.local", clusterRole: "edit", namespace: "apps" },
      { group: "viewers@homelab.local", clusterRole: "view" },
    ],
  },
  storageClasses: [
    { name: "cubefs-replicated", default: true, replicas: 3 },
    { name: "cubefs-retain", replicas: 3, reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" },
  ],
  namespaces: [
    {
      name: "apps",
      podSecurity: "restricted",
      quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi" },
      allow: { egressToInternet: true, egressToNamespaces: ["podinfo"] },
    },
  ],
  priorityClasses: [
    { name: "homelab-default", value: 1000, globalDefault: true, description: "Default for workloads." },
  ],
  coredns: { forwarders: ["192.168.1.1", "1.1.1.1"] },
  monitoring: { retention: "30d", prometheusStorage: "50Gi", grafanaUrl: "https://grafana.homelab.local" },
  logging: { retention: "336h", storage: "20Gi" },
  apps: [
    {
      name: "podinfo",
      image: "ghcr.io/stefanprodan/podinfo:6.9.2",
      port: 9898,
      args: ["--port=9898", "--data-path=/data"],
      runAsUser: 100,
      healthPath: "/healthz",
      metrics: { path: "/metrics" },
      storage: { size: "1Gi", mountPath: "/data" },
      allowFrom: ["apps"],
    },
  ],
  flux: { url: "ssh://git@github.com/homelab/kubeforge.git", branch: "main" },
  sops: { ageRecipients: [DEMO_AGE_RECIPIENT], example: true },
});
