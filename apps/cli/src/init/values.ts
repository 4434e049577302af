// init's answers: from flags, else from prompts on a terminal; a script without a TTY must pass every flag.
import { CliError } from "../errors.js";
import { DEFAULT_KUBERNETES_VERSION, DEFAULT_TALOS_VERSION, type InitValues, type NodeValue } from "./template.js";

export type Ask = (question: string) => Promise<string>;

type Flags = Record<string, string | boolean | string[] | undefined>;

const str = (flags: Flags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);
const list = (value: string) =>
  value
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);

/** `[hostname=]address[,mac]` → a node; hostnames default to node-1, node-2, … */
export function parseNodeFlag(flag: string, index: number): NodeValue {
  const match = /^(?:([^=]+)=)?([^,]+)(?:,(.+))?$/.exec(flag.trim());
  if (!match) {
    throw new CliError(
      "E_INPUT",
      `--node ${flag}: expected [hostname=]address[,mac]`,
      "e.g. --node 192.168.1.11,aa:bb:cc:dd:ee:01",
    );
  }
  return { hostname: match[1] ?? `node-${index + 1}`, address: match[2]!, ...(match[3] ? { mac: match[3] } : {}) };
}

/** The /24 around an IPv4 gateway, the usual home network. */
export function defaultNodeCidr(gateway: string): string | undefined {
  const parts = gateway.split(".");
  return parts.length === 4 ? `${parts.slice(0, 3).join(".")}.0/24` : undefined;
}

const REQUIRED = [
  [
    "node",
    "Node addresses (comma-separated; 3 for an HA control plane)",
    "--node 192.168.1.11,aa:bb:cc:dd:ee:01 (repeat per node, each with its MAC)",
  ],
  ["gateway", "Gateway of the node network", "--gateway 192.168.1.1"],
  ["vip", "API virtual IP (a free address in the node network)", "--vip 192.168.1.10"],
  ["oidc-issuer", "OIDC issuer URL (https://…)", "--oidc-issuer https://auth.example.com"],
  [
    "git-url",
    "Git URL Flux pulls from (ssh://… or git@host:owner/repo.git)",
    "--git-url ssh://git@github.com/you/homelab.git",
  ],
] as const;

/**
 * The uplink name for nodes given without a MAC. There is no default: Talos names NICs predictably (enp1s0, eno1),
 * so the old eth0 default addressed nothing and validation refuses it.
 */
async function uplinkInterface(
  nodes: readonly NodeValue[],
  given: string | undefined,
  ask: Ask | undefined,
): Promise<string | undefined> {
  const withoutMac = nodes.filter((node) => !node.mac).map((node) => `${node.hostname} (${node.address})`);
  let name = given;
  if (!name && withoutMac.length > 0 && ask)
    name =
      (await ask(`Uplink interface of ${withoutMac.join(", ")} (e.g. enp1s0; a MAC is better): `)).trim() || undefined;
  if (withoutMac.length > 0 && !name) {
    throw new CliError(
      "E_USAGE",
      `${withoutMac.join(", ")} ${withoutMac.length === 1 ? "has" : "have"} no MAC address`,
      "give each node its MAC (--node 192.168.1.11,aa:bb:cc:dd:ee:01), or pass --interface <enpXsY> (the name Talos shows on the node's console)",
    );
  }
  if (name && /^eth\d+$/.test(name)) {
    throw new CliError(
      "E_USAGE",
      `--interface ${name}: Talos names NICs predictably (enp1s0, eno1), so ${name} addresses nothing`,
      "give each node its MAC (--node <address>,<mac>), or the enpXsY name Talos shows on the node's console",
    );
  }
  return name;
}

/** Collects init's values; `ask` is called only for missing ones (and only when there is a terminal). */
export async function collectValues(
  name: string,
  flags: Flags,
  ask: Ask | undefined,
): Promise<Omit<InitValues, "ageRecipient">> {
  const answers: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const [flag, question, example] of REQUIRED) {
    const given =
      flag === "node" ? ((flags.node as string[] | undefined) ?? []).join(",") || undefined : str(flags, flag);
    if (given !== undefined) answers[flag] = given;
    else if (ask) answers[flag] = (await ask(`${question}: `)).trim() || undefined;
    if (answers[flag] === undefined) missing.push(example);
  }
  if (missing.length > 0) {
    throw new CliError(
      "E_USAGE",
      `init needs ${missing.length} more value${missing.length === 1 ? "" : "s"}`,
      ask
        ? `answer every question (an empty answer leaves the value missing), or pass ${missing.join(", ")}`
        : `pass ${missing.join(", ")} (or run it in a terminal to be asked)`,
    );
  }
  const flagNodes = (flags.node as string[] | undefined) ?? [];
  let nodes = (flagNodes.length ? flagNodes : list(answers.node!)).map(parseNodeFlag);
  if (!flagNodes.length && ask) {
    // Split on commas only: an empty entry keeps its place (that node uses the interface name instead).
    const macs = (await ask("MAC addresses of the nodes, same order (empty: use the interface name instead): "))
      .split(",")
      .map((mac) => mac.trim());
    nodes = nodes.map((node, index) => (macs[index] ? { ...node, mac: macs[index] } : node));
  }
  const uplink = await uplinkInterface(nodes, str(flags, "interface"), ask);
  const gateway = answers.gateway!;
  const nodeCidr = str(flags, "node-cidr") ?? defaultNodeCidr(gateway);
  if (!nodeCidr)
    throw new CliError(
      "E_USAGE",
      "cannot derive the node network from the gateway",
      "pass --node-cidr, e.g. --node-cidr 192.168.1.0/24",
    );
  const environment = str(flags, "environment") ?? "production";
  if (environment !== "production" && environment !== "staging") {
    throw new CliError("E_USAGE", `--environment ${environment}: must be production or staging`);
  }
  const { normaliseGitUrl } = await import("./deploy-key.js");
  return {
    name,
    environment,
    nodes,
    nodeCidr,
    gateway,
    nameservers: (flags.nameserver as string[] | undefined)?.length
      ? (flags.nameserver as string[])
      : [gateway, "1.1.1.1"],
    vip: answers.vip!,
    oidcIssuer: answers["oidc-issuer"]!,
    oidcClientId: str(flags, "oidc-client-id") ?? "kubernetes",
    adminGroup: str(flags, "admin-group") ?? "admins",
    gitUrl: normaliseGitUrl(answers["git-url"]!),
    gitBranch: str(flags, "branch") ?? "main",
    installDisk: str(flags, "install-disk") ?? "/dev/sda",
    // Only nodes without a MAC use it; uplinkInterface refused those when no interface was given.
    interface: uplink ?? "",
    talosVersion: str(flags, "talos-version") ?? DEFAULT_TALOS_VERSION,
    kubernetesVersion: str(flags, "kubernetes-version") ?? DEFAULT_KUBERNETES_VERSION,
  };
}
