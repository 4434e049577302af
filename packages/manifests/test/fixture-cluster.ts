// A small valid cluster for tests and benchmarks; `namespaces` scales it up.
import { type Cluster, type ClusterInput, validateCluster } from "@kubeforge/config";

export function fixtureInput(options: { namespaces?: number } = {}): ClusterInput {
  const count = options.namespaces ?? 2;
  return {
    name: "lab",
    environment: "staging",
    talos: { version: "v1.13.9" },
    kubernetes: { version: "v1.35.2" },
    network: { nodeCidr: "10.0.0.0/24", gateway: "10.0.0.1", nameservers: ["10.0.0.1"] },
    api: { vip: "10.0.0.10" },
    nodes: [1, 2, 3].map((index) => ({ hostname: `lab-${index}`, address: `10.0.0.1${index}`, interface: "enp1s0" })),
    oidc: {
      issuerUrl: "https://auth.lab.example",
      clientId: "kubernetes",
      bindings: [
        { group: "admins@lab.example", clusterRole: "cluster-admin" },
        { group: "devs@lab.example", clusterRole: "edit", namespace: "ns-1" },
      ],
    },
    namespaces: Array.from({ length: count }, (_, index) => ({
      name: `ns-${index + 1}`,
      allow: {
        egressToInternet: index % 2 === 0,
        egressToKubeApi: index === 0,
        ingressFromNamespaces: index > 0 ? ["ns-1"] : [],
      },
    })),
    priorityClasses: [{ name: "lab-default", value: 1000, globalDefault: true }],
    storageClasses: [{ name: "fast", default: true }],
    flux: { url: "https://git.lab.example/infra.git" },
    sops: { ageRecipients: ["age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8"] },
  };
}

export function fixtureCluster(options: { namespaces?: number } = {}): Cluster {
  const result = validateCluster(fixtureInput(options));
  if (!result.ok) throw new Error(`fixture cluster is invalid: ${JSON.stringify(result.errors)}`);
  return result.cluster;
}
