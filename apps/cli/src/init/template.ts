// The typed template of a new cluster: cluster.ts, package.json, tsconfig.json and a README. Pure: values in,
// file texts out. Never a copy of an example (no bundle, no generated files, no demo secret, no node_modules).
import type { ClusterInput } from "@kubeforge/config";

export interface NodeValue {
  readonly hostname: string;
  readonly address: string;
  readonly mac?: string;
}

export interface InitValues {
  readonly name: string;
  readonly environment: "staging" | "production";
  readonly nodes: readonly NodeValue[];
  readonly nodeCidr: string;
  readonly gateway: string;
  readonly nameservers: readonly string[];
  readonly vip: string;
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  readonly adminGroup: string;
  readonly gitUrl: string;
  readonly gitBranch: string;
  readonly ageRecipient: string;
  readonly installDisk: string;
  readonly interface: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
}

/** Versions a new cluster starts on; both are in @kubeforge/config's release table (a test checks it). */
export const DEFAULT_TALOS_VERSION = "v1.13.9";
export const DEFAULT_KUBERNETES_VERSION = "v1.35.5";

/** The definition as data (validated before anything is written). */
export function clusterInput(values: InitValues): ClusterInput {
  return {
    name: values.name,
    environment: values.environment,
    talos: { version: values.talosVersion, installDisk: values.installDisk },
    kubernetes: { version: values.kubernetesVersion },
    network: { nodeCidr: values.nodeCidr, gateway: values.gateway, nameservers: [...values.nameservers] },
    api: { vip: values.vip },
    nodes: values.nodes.map((node) => ({
      hostname: node.hostname,
      address: node.address,
      ...(node.mac ? { mac: node.mac } : { interface: values.interface }),
    })),
    oidc: {
      issuerUrl: values.oidcIssuer,
      clientId: values.oidcClientId,
      bindings: [{ group: values.adminGroup, clusterRole: "cluster-admin" }],
    },
    flux: { url: values.gitUrl, branch: values.gitBranch },
    sops: { ageRecipients: [values.ageRecipient] },
  };
}

const q = (value: string) => JSON.stringify(value);

/** cluster.ts: every value a user must check is marked `// CHANGE`. */
export function renderClusterTs(values: InitValues): string {
  const nodes = values.nodes
    .map(
      (node) =>
        `    { hostname: ${q(node.hostname)}, address: ${q(node.address)}, ${node.mac ? `mac: ${q(node.mac)}` : `interface: ${q(values.interface)}`} }, // CHANGE: address and MAC (or interface) of each machine`,
    )
    .join("\n");
  return `// The ${values.name} cluster, created by \`kubeforge init\`. Edit it, then \`kubeforge build ${values.name}\`.
// Every field is typed and documented: hover a key in your editor, or see packages/config/README.md.
import { defineCluster } from "@kubeforge/config";

export default defineCluster({
  name: ${q(values.name)},
  environment: ${q(values.environment)}, // staging clusters are upgraded before production ones
  talos: { version: ${q(values.talosVersion)}, installDisk: ${q(values.installDisk)} }, // CHANGE: the disk Talos installs to
  kubernetes: { version: ${q(values.kubernetesVersion)} },
  network: {
    nodeCidr: ${q(values.nodeCidr)}, // CHANGE: your LAN
    gateway: ${q(values.gateway)}, // CHANGE: your router
    nameservers: [${values.nameservers.map(q).join(", ")}],
  },
  api: { vip: ${q(values.vip)} }, // CHANGE: a free address in nodeCidr; the Kubernetes API answers there
  nodes: [
${nodes}
  ],
  oidc: {
    issuerUrl: ${q(values.oidcIssuer)}, // CHANGE: your OIDC provider (Zitadel, Dex, …)
    clientId: ${q(values.oidcClientId)},
    bindings: [{ group: ${q(values.adminGroup)}, clusterRole: "cluster-admin" }], // CHANGE: your admin group
  },
  flux: { url: ${q(values.gitUrl)}, branch: ${q(values.gitBranch)} }, // CHANGE: the repository Flux pulls from
  // Your age public key (its private half stays outside the repository). Add a teammate's key here and in .sops.yaml,
  // then \`kubeforge secrets updatekeys clusters/${values.name}\` (every encrypted file of the cluster).
  sops: { ageRecipients: [${q(values.ageRecipient)}] },
});
`;
}

export function renderPackageJson(name: string): string {
  const manifest = {
    name: `@kubeforge/cluster-${name}`,
    private: true,
    type: "module",
    description: `The ${name} cluster: its definition (cluster.ts), generated Flux tree (flux/) and SOPS-encrypted Talos configs (talos/)`,
    scripts: {
      build: "kubeforge build .",
      validate: "kubeforge validate --offline .",
      typecheck: "tsc --noEmit",
    },
    dependencies: { "@kubeforge/config": "workspace:^" },
    devDependencies: { kubeforge: "workspace:^", typescript: "catalog:" },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** cluster.ts needs no Node types; `types: []` keeps `tsc --noEmit` clean without @types/node here. */
export const TSCONFIG = `${JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { types: [] }, include: ["cluster.ts"] }, null, 2)}\n`;

export function renderReadme(values: InitValues, deployKeyFile: string | undefined): string {
  return `# ${values.name}

Created by \`kubeforge init\`. \`cluster.ts\` is the definition; everything else here is generated or encrypted.

| path | what |
| --- | --- |
| \`cluster.ts\` | the definition: edit it, then \`kubeforge build ${values.name}\` |
| \`flux/\`, \`bootstrap/\` | generated by \`kubeforge build\`: commit, never edit |
| \`talos/talsecret.sops.yaml\` | this cluster's Talos PKI, encrypted to \`sops.ageRecipients\`; never regenerate it for a running cluster |
| \`talos/generated/\` | encrypted machine configs and talosconfig, generated |
${deployKeyFile ? `| \`${deployKeyFile}\` | Flux's Git deploy key (encrypted); its public half goes to your Git host as a read-only deploy key |\n` : ""}| \`secrets/*.sops.yaml\` | your own Secrets: write one, then \`kubeforge secrets encrypt -i <file>\` |

Next: \`kubeforge validate ${values.name}\`, commit and push, then \`kubeforge bootstrap ${values.name}\` with the nodes in
Talos maintenance mode.
`;
}
