// States what a cluster's committed Flux tree must allow and deny, derived from its model (cluster.ts),
// instead of snapshotting it: namespaces, default-deny for every pod, who may reach whom, DNS, internet
// egress, quotas, limit ranges, Pod Security levels and PriorityClasses. Policies are evaluated with the
// independent evaluator in network-policy.ts.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  allowsEgress,
  allowsIngress,
  isolatingPolicies,
  type NamespaceLabels,
  type PodRef,
  type PolicyObject,
} from "./network-policy.js";

/** The parts of @kubeforge/config's Cluster these assertions read (kept structural: no dependency). */
export interface GuardrailModel {
  readonly network: { readonly podCidr: string; readonly serviceCidr: string };
  readonly namespaces: readonly {
    readonly name: string;
    readonly podSecurity: string;
    readonly quota: Readonly<Record<string, string | number>>;
    readonly limits: Readonly<Record<string, string | undefined>>;
    readonly allow: {
      readonly ingressFromNamespaces: readonly string[];
      readonly egressToNamespaces: readonly string[];
      readonly egressToInternet: boolean;
      readonly egressToCluster: boolean;
    };
  }[];
  readonly apps: readonly {
    readonly name: string;
    readonly allowFrom: readonly string[];
    readonly egressToInternet: boolean;
  }[];
  readonly priorityClasses: readonly {
    readonly name: string;
    readonly value: number;
    readonly description: string;
    readonly globalDefault: boolean;
    readonly preemptionPolicy: string;
  }[];
}

/**
 * Network allowances of the platform namespaces when the model does not declare them itself: the
 * defaults of @kubeforge/manifests (PLATFORM_NAMESPACE_DEFAULTS in src/components/namespaces.ts).
 */
export const PLATFORM_ALLOWANCES: Readonly<Record<string, Allowances>> = {
  cubefs: { ingressFrom: [], egressTo: [], egressToCluster: false, egressToInternet: false },
  monitoring: { ingressFrom: [], egressTo: [], egressToCluster: true, egressToInternet: true },
  logging: { ingressFrom: ["monitoring"], egressTo: [], egressToCluster: false, egressToInternet: false },
};

export interface Allowances {
  readonly ingressFrom: readonly string[];
  readonly egressTo: readonly string[];
  readonly egressToCluster: boolean;
  readonly egressToInternet: boolean;
}

/** Every namespace of the cluster with its allowances: declared ones, one per app, the platform's. */
export function expectedNamespaces(model: GuardrailModel): Map<string, Allowances> {
  const out = new Map<string, Allowances>(Object.entries(PLATFORM_ALLOWANCES));
  for (const app of model.apps)
    out.set(app.name, {
      ingressFrom: app.allowFrom,
      egressTo: [],
      egressToCluster: false,
      egressToInternet: app.egressToInternet,
    });
  for (const namespace of model.namespaces)
    out.set(namespace.name, {
      ingressFrom: namespace.allow.ingressFromNamespaces,
      egressTo: namespace.allow.egressToNamespaces,
      egressToCluster: namespace.allow.egressToCluster,
      egressToInternet: namespace.allow.egressToInternet,
    });
  return out;
}

/** First host of a CIDR (10.244.0.0/16 → 10.244.0.1). */
function firstHost(cidr: string): string {
  const [base = ""] = cidr.split("/");
  const parts = base.split(".").map(Number);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join(".");
}

/**
 * Internet egress, the expectation to adjust when the egress policy changes: a public address is reachable
 * exactly from namespaces allowed egressToInternet, and `internetExcluded` addresses never through the
 * internet rule. (Planned: the node CIDR, the VIP and the private ranges join the excluded list.)
 */
export function internetEgressExpectation(model: GuardrailModel) {
  return {
    publicAddress: "1.1.1.1",
    internetExcluded: [firstHost(model.network.podCidr), firstHost(model.network.serviceCidr)],
  };
}

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

function readTree(folder: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) out.push(...readTree(file));
    else if (entry.name.endsWith(".yaml"))
      for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
        const object = document.toJS() as K8sObject | null;
        if (object?.kind) out.push(object);
      }
  }
  return out;
}

const PLAIN = { app: "anything" };
const PROMETHEUS = { "app.kubernetes.io/name": "prometheus" };
const WEB = { port: 8080, protocol: "TCP" as const };

export function describeRenderedGuardrails(clusterDir: string, loadModel: () => Promise<GuardrailModel>): void {
  const name = path.basename(clusterDir);
  describe(`clusters/${name}/flux guardrails, derived from the model`, () => {
    let model: GuardrailModel;
    let objects: K8sObject[];
    let policies: PolicyObject[];
    let namespaceLabels: NamespaceLabels;
    let expected: Map<string, Allowances>;
    const setup = async () => {
      if (model) return;
      model = await loadModel();
      objects = readTree(path.join(clusterDir, "flux"));
      policies = objects.filter((object) => object.kind === "NetworkPolicy") as unknown as PolicyObject[];
      namespaceLabels = new Map(
        objects
          .filter((object) => object.kind === "Namespace")
          .map((object) => [object.metadata.name, object.metadata.labels ?? {}]),
      );
      expected = expectedNamespaces(model);
    };
    const pod = (namespace: string, labels: Record<string, string> = PLAIN): PodRef => ({ namespace, labels });

    it("renders exactly the namespaces the model implies", async () => {
      await setup();
      expect([...namespaceLabels.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const policy of policies) expect(expected.has(policy.metadata.namespace), policy.metadata.name).toBe(true);
    }, 120_000);

    it("every namespace denies by default, for every pod, in both directions", async () => {
      await setup();
      for (const namespace of expected.keys()) {
        const denyAll = policies.filter(
          (policy) =>
            policy.metadata.namespace === namespace &&
            Object.keys(policy.spec.podSelector ?? { missing: true }).length === 0 &&
            (policy.spec.policyTypes ?? []).includes("Ingress") &&
            (policy.spec.policyTypes ?? []).includes("Egress") &&
            !policy.spec.ingress &&
            !policy.spec.egress,
        );
        expect(denyAll.length, `${namespace} has a default-deny policy`).toBe(1);
        const samples: Record<string, string>[] = [{}, PLAIN, PROMETHEUS, { "k8s-app": "kube-dns" }];
        for (const labels of samples) {
          expect(isolatingPolicies(policies, pod(namespace, labels), "Ingress").length).toBeGreaterThan(0);
          expect(isolatingPolicies(policies, pod(namespace, labels), "Egress").length).toBeGreaterThan(0);
        }
      }
    }, 120_000);

    it("ingress: a namespace is reachable from exactly its allowed namespaces (and itself)", async () => {
      await setup();
      for (const [target, allowances] of expected) {
        for (const source of [...expected.keys(), "stranger"]) {
          const allowed = source === target || allowances.ingressFrom.includes(source);
          expect(
            allowsIngress(policies, namespaceLabels, pod(target), pod(source), WEB),
            `${source} → ${target} (ingress side)`,
          ).toBe(allowed);
        }
        expect(
          allowsIngress(policies, namespaceLabels, pod(target), { ip: "203.0.113.7" }, WEB),
          `internet → ${target}`,
        ).toBe(false);
        // Prometheus scrapes every namespace; no other monitoring pod gets that.
        expect(allowsIngress(policies, namespaceLabels, pod(target), pod("monitoring", PROMETHEUS), WEB)).toBe(true);
      }
    }, 120_000);

    it("egress: a namespace reaches exactly its allowed namespaces (and itself)", async () => {
      await setup();
      for (const [source, allowances] of expected) {
        for (const target of [...expected.keys(), "stranger"]) {
          const allowed = source === target || allowances.egressToCluster || allowances.egressTo.includes(target);
          expect(
            allowsEgress(policies, namespaceLabels, pod(source), pod(target), WEB),
            `${source} → ${target} (egress side)`,
          ).toBe(allowed);
        }
      }
    }, 120_000);

    it("DNS: every namespace resolves through kube-dns on port 53, and only there in kube-system", async () => {
      await setup();
      const dns = pod("kube-system", { "k8s-app": "kube-dns" });
      for (const [source, allowances] of expected) {
        for (const protocol of ["UDP", "TCP"] as const)
          expect(
            allowsEgress(policies, namespaceLabels, pod(source), dns, { port: 53, protocol }),
            `${source} DNS`,
          ).toBe(true);
        expect(
          allowsEgress(policies, namespaceLabels, pod(source), pod("kube-system"), { port: 53, protocol: "UDP" }),
          `${source} → another kube-system pod`,
        ).toBe(allowances.egressToCluster);
      }
    }, 120_000);

    it("internet egress only where allowed, and never into the pod or service network through it", async () => {
      await setup();
      const { publicAddress, internetExcluded } = internetEgressExpectation(model);
      for (const [source, allowances] of expected) {
        expect(
          allowsEgress(policies, namespaceLabels, pod(source), { ip: publicAddress }, { port: 443, protocol: "TCP" }),
          `${source} → ${publicAddress}`,
        ).toBe(allowances.egressToInternet);
        for (const ip of internetExcluded)
          expect(allowsEgress(policies, namespaceLabels, pod(source), { ip }, WEB), `${source} → ${ip}`).toBe(false);
      }
    }, 120_000);

    it("quota and LimitRange of each declared namespace are the model's values", async () => {
      await setup();
      for (const namespace of model.namespaces) {
        const quota = objects.find(
          (object) => object.kind === "ResourceQuota" && object.metadata.namespace === namespace.name,
        );
        const hard = Object.fromEntries(
          Object.entries((quota?.spec as { hard?: Record<string, unknown> } | undefined)?.hard ?? {}).map(
            ([key, value]) => [key, String(value)],
          ),
        );
        const q = namespace.quota;
        expect(hard, `${namespace.name} quota`).toEqual({
          "requests.cpu": String(q.requestsCpu),
          "requests.memory": String(q.requestsMemory),
          "limits.cpu": String(q.limitsCpu),
          "limits.memory": String(q.limitsMemory),
          pods: String(q.pods),
          persistentvolumeclaims: String(q.persistentVolumeClaims),
          "requests.storage": String(q.requestsStorage),
        });
        const limitRange = objects.find(
          (object) => object.kind === "LimitRange" && object.metadata.namespace === namespace.name,
        );
        const l = namespace.limits;
        expect((limitRange?.spec as { limits?: unknown[] } | undefined)?.limits, `${namespace.name} limits`).toEqual([
          {
            type: "Container",
            default: { cpu: l.defaultLimitCpu, memory: l.defaultLimitMemory },
            defaultRequest: { cpu: l.defaultRequestCpu, memory: l.defaultRequestMemory },
            ...(l.maxCpu || l.maxMemory
              ? { max: { ...(l.maxCpu ? { cpu: l.maxCpu } : {}), ...(l.maxMemory ? { memory: l.maxMemory } : {}) } }
              : {}),
          },
        ]);
      }
      for (const namespace of expected.keys())
        for (const kind of ["ResourceQuota", "LimitRange"])
          expect(
            objects.filter((object) => object.kind === kind && object.metadata.namespace === namespace).length,
            `${namespace} ${kind}`,
          ).toBe(1);
    }, 120_000);

    it("Pod Security: declared levels enforced, apps restricted, audit and warn restricted, a weaker level says why", async () => {
      await setup();
      const namespaces = objects.filter((object) => object.kind === "Namespace");
      const level = (namespace: string) =>
        namespaces.find((object) => object.metadata.name === namespace)?.metadata.labels?.[
          "pod-security.kubernetes.io/enforce"
        ];
      for (const namespace of model.namespaces) expect(level(namespace.name)).toBe(namespace.podSecurity);
      for (const app of model.apps) expect(level(app.name)).toBe("restricted");
      for (const namespace of namespaces) {
        const labels = namespace.metadata.labels ?? {};
        expect(labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
        expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
        if (labels["pod-security.kubernetes.io/enforce"] !== "restricted")
          expect(
            namespace.metadata.annotations?.["kubeforge.dev/pod-security-reason"],
            namespace.metadata.name,
          ).toBeTruthy();
      }
    }, 120_000);

    it("PriorityClasses: the model's, as declared; at most one global default; none in the system range", async () => {
      await setup();
      const classes = objects.filter((object) => object.kind === "PriorityClass") as unknown as Array<{
        metadata: { name: string };
        value: number;
        description?: string;
        globalDefault?: boolean;
        preemptionPolicy?: string;
      }>;
      for (const declared of model.priorityClasses) {
        const rendered = classes.find((object) => object.metadata.name === declared.name);
        expect(rendered, declared.name).toBeDefined();
        expect({
          value: rendered?.value,
          description: rendered?.description ?? "",
          globalDefault: rendered?.globalDefault ?? false,
          preemptionPolicy: rendered?.preemptionPolicy ?? "PreemptLowerPriority",
        }).toEqual({
          value: declared.value,
          description: declared.description,
          globalDefault: declared.globalDefault,
          preemptionPolicy: declared.preemptionPolicy,
        });
      }
      const defaults = classes.filter((object) => object.globalDefault).map((object) => object.metadata.name);
      expect(defaults).toEqual(
        model.priorityClasses.filter((object) => object.globalDefault).map((object) => object.name),
      );
      expect(new Set(classes.map((object) => object.metadata.name)).size).toBe(classes.length);
      for (const object of classes) expect(object.value, object.metadata.name).toBeLessThanOrEqual(1_000_000_000);
    }, 120_000);
  });
}
