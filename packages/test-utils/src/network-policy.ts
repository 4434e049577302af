// A small, independent evaluator of Kubernetes NetworkPolicy semantics for tests: given every policy of a
// tree and the namespaces' labels, may this pod talk to that peer? Written from the API reference, not from
// the code that renders the policies, so a test can state what a tree allows and denies.
// (IPv4 ipBlocks only: the clusters are IPv4.)

export interface PolicyObject {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector?: Selector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly { readonly from?: readonly Peer[]; readonly ports?: readonly PortRule[] }[];
    readonly egress?: readonly { readonly to?: readonly Peer[]; readonly ports?: readonly PortRule[] }[];
  };
}

interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}
interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
interface PortRule {
  readonly port?: number | string;
  readonly protocol?: string;
}

/** A pod: its namespace and labels. */
export interface PodRef {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}
/** The other end of a connection: a pod, or an address outside the pod network. */
export type Endpoint = PodRef | { readonly ip: string };
export interface Connection {
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
}

export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    const ok =
      expression.operator === "In"
        ? value !== undefined && values.includes(value)
        : expression.operator === "NotIn"
          ? value === undefined || !values.includes(value)
          : expression.operator === "Exists"
            ? value !== undefined
            : value === undefined;
    if (!ok) return false;
  }
  return true;
}

function ipv4(text: string): number {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(ipv4(base) / size) * size;
  const address = ipv4(ip);
  return address >= first && address < first + size;
}

/** The namespace's labels as the API server sets them (kubernetes.io/metadata.name) plus its own. */
export type NamespaceLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

function namespaceLabelsOf(namespaces: NamespaceLabels, name: string): Record<string, string> {
  return { ...(namespaces.get(name) ?? {}), "kubernetes.io/metadata.name": name };
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint, namespaces: NamespaceLabels): boolean {
  if ("ip" in other) {
    if (!peer.ipBlock) return false;
    return (
      cidrContains(peer.ipBlock.cidr, other.ip) && !(peer.ipBlock.except ?? []).some((c) => cidrContains(c, other.ip))
    );
  }
  if (peer.ipBlock) return false; // ipBlock is for addresses outside the pod network
  const inNamespace = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabelsOf(namespaces, other.namespace))
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels ?? {}) : true;
  return inNamespace && podOk;
}

function portMatches(ports: readonly PortRule[] | undefined, connection: Connection): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (rule) =>
      (rule.protocol ?? "TCP") === (connection.protocol ?? "TCP") &&
      (rule.port === undefined || Number(rule.port) === connection.port),
  );
}

function typesOf(policy: PolicyObject): string[] {
  if (policy.spec.policyTypes) return [...policy.spec.policyTypes];
  return policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

/** The policies that isolate `pod` in `direction`: none means everything is allowed in that direction. */
export function isolatingPolicies(policies: readonly PolicyObject[], pod: PodRef, direction: "Ingress" | "Egress") {
  return policies.filter(
    (policy) =>
      policy.metadata.namespace === pod.namespace &&
      selects(policy.spec.podSelector ?? {}, pod.labels ?? {}) &&
      typesOf(policy).includes(direction),
  );
}

/** May `from` open a connection to `pod` (ingress side only)? */
export function allowsIngress(
  policies: readonly PolicyObject[],
  namespaces: NamespaceLabels,
  pod: PodRef,
  from: Endpoint,
  connection: Connection,
): boolean {
  const isolating = isolatingPolicies(policies, pod, "Ingress");
  if (isolating.length === 0) return true;
  return isolating.some((policy) =>
    (policy.spec.ingress ?? []).some(
      (rule) =>
        (rule.from === undefined ||
          rule.from.length === 0 ||
          rule.from.some((peer) => peerMatches(peer, pod.namespace, from, namespaces))) &&
        portMatches(rule.ports, connection),
    ),
  );
}

/** May `pod` open a connection to `to` (egress side only)? */
export function allowsEgress(
  policies: readonly PolicyObject[],
  namespaces: NamespaceLabels,
  pod: PodRef,
  to: Endpoint,
  connection: Connection,
): boolean {
  const isolating = isolatingPolicies(policies, pod, "Egress");
  if (isolating.length === 0) return true;
  return isolating.some((policy) =>
    (policy.spec.egress ?? []).some(
      (rule) =>
        (rule.to === undefined ||
          rule.to.length === 0 ||
          rule.to.some((peer) => peerMatches(peer, pod.namespace, to, namespaces))) &&
        portMatches(rule.ports, connection),
    ),
  );
}

/** Both ends agree: `from`'s egress and `to`'s ingress. */
export function allowsConnection(
  policies: readonly PolicyObject[],
  namespaces: NamespaceLabels,
  from: PodRef,
  to: PodRef,
  connection: Connection,
): boolean {
  return (
    allowsEgress(policies, namespaces, from, to, connection) &&
    allowsIngress(policies, namespaces, to, from, connection)
  );
}
