import { type ClusterInput, validateCluster } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { fixtureInput } from "../../test/fixture-cluster.js";
import { LAYERS } from "../charts/flux.js";
import { renderBootstrap } from "../render/bootstrap.js";
import { renderTree } from "../render/tree.js";
import { parseCpu, parseMemory } from "./quota.js";
import { CHARTS } from "./versions.js";

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered YAML is walked by shape in assertions
  spec?: any;
  data?: Record<string, string>;
  file?: string;
};

function render(change: (input: ClusterInput) => void = () => {}) {
  const input = fixtureInput();
  change(input);
  const result = validateCluster(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const files = renderTree(result.cluster);
  const objects = files
    .filter((file) => !file.path.endsWith("kustomization.yaml"))
    .flatMap((file) =>
      parseAllDocuments(file.content).map((document) => ({ ...(document.toJS() as Obj), file: file.path })),
    );
  const find = (kind: string, name: string) =>
    objects.find((object) => object.kind === kind && object.metadata.name === name);
  return { cluster: result.cluster, files, objects, find };
}

const podinfo = {
  name: "podinfo",
  image: "ghcr.io/stefanprodan/podinfo:6.9.2",
  port: 9898,
  runAsUser: 100,
  healthPath: "/healthz",
  metrics: { path: "/metrics" },
  storage: { size: "1Gi", mountPath: "/data" },
  allowFrom: ["ns-1"],
};

describe("platform components", () => {
  it("installs Cilium from the bootstrap file with exactly the values Flux later applies", () => {
    const { cluster, find } = render();
    const bootstrap = parse(renderBootstrap(cluster)[0]!.content);
    const release = find("HelmRelease", "cilium");
    expect(release?.spec.values).toEqual(bootstrap);
    expect(bootstrap).toMatchObject({
      k8sServiceHost: "localhost",
      k8sServicePort: 7445,
      kubeProxyReplacement: true,
      ipam: { mode: "kubernetes" },
    });
    expect(release?.metadata.namespace).toBe("kube-system");
  });

  it("keeps kube-proxy monitoring when Cilium does not replace it", () => {
    const { find } = render((input) => {
      input.cilium = { kubeProxyReplacement: false };
    });
    expect(find("HelmRelease", "cilium")?.spec.values.kubeProxyReplacement).toBe(false);
    expect(find("HelmRelease", "kube-prometheus-stack")?.spec.values.kubeProxy).toEqual({ enabled: true });
  });

  it("renders kube-vip only when the model picks it, holding the VIP in ARP mode", () => {
    expect(render().find("DaemonSet", "kube-vip")).toBeUndefined();
    const { find } = render((input) => {
      input.api = { vip: "10.0.0.10", provider: "kube-vip" };
    });
    const daemonSet = find("DaemonSet", "kube-vip");
    const env = Object.fromEntries(
      daemonSet?.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      address: "10.0.0.10",
      vip_arp: "true",
      cp_enable: "true",
      vip_interface: "enp1s0",
      port: "6443",
      // kube-vip 1.2 reads vip_subnet; vip_cidr is ignored (the VIP would get the interface's mask).
      vip_subnet: "32",
    });
    expect(env).not.toHaveProperty("vip_cidr");
    expect(find("RoleBinding", "kube-vip")).toMatchObject({
      metadata: { namespace: "kube-system" },
      roleRef: { kind: "Role", name: "kube-vip" },
      subjects: [{ kind: "ServiceAccount", name: "kube-vip", namespace: "kube-system" }],
    });
    expect(find("PodMonitor", "kube-vip")).toBeDefined();
  });

  it("overrides CoreDNS only when forwarders are set", () => {
    expect(render().find("ConfigMap", "coredns")).toBeUndefined();
    const { find } = render((input) => {
      input.coredns = { forwarders: ["10.0.0.1", "9.9.9.9"] };
    });
    expect(find("ConfigMap", "coredns")?.data?.Corefile).toContain("forward . 10.0.0.1 9.9.9.9\n");
  });

  it("pins every HelmRelease to a chart version and a HelmRepository in the tree", () => {
    const { objects } = render();
    const repositories = new Set(
      objects.filter((o) => o.kind === "HelmRepository").map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    );
    const releases = objects.filter((object) => object.kind === "HelmRelease");
    expect(releases.map((release) => release.metadata.name).sort()).toEqual([
      "alloy",
      "cilium",
      "cubefs",
      "kube-prometheus-stack",
      "loki",
    ]);
    const pinned = new Set(Object.values(CHARTS).map((chart) => `${chart.chart}@${chart.version}`));
    for (const release of releases) {
      const { chart, version, sourceRef } = release.spec.chart.spec;
      expect(pinned.has(`${chart}@${version}`), `${release.metadata.name} pins ${chart}@${version}`).toBe(true);
      expect(repositories.has(`${sourceRef.namespace}/${sourceRef.name}`)).toBe(true);
    }
  });

  it("gives every container it renders requests, limits and a priority class", () => {
    const { objects } = render((input) => {
      input.api = { vip: "10.0.0.10", provider: "kube-vip" };
      input.apps = [podinfo];
    });
    const workloads = objects.filter((object) => ["Deployment", "DaemonSet", "StatefulSet"].includes(object.kind));
    expect(workloads.map((workload) => workload.metadata.name).sort()).toEqual(["kube-vip", "podinfo"]);
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      expect(pod.priorityClassName, workload.metadata.name).toBeTruthy();
      for (const container of pod.containers) {
        expect(Object.keys(container.resources.requests).sort()).toEqual(["cpu", "memory"]);
        expect(Object.keys(container.resources.limits).sort()).toEqual(["cpu", "memory"]);
      }
    }
  });

  it("runs platform namespaces at the Pod Security level they need, with the reason written down", () => {
    const { find } = render();
    for (const [name, level] of [
      ["cubefs", "privileged"],
      ["monitoring", "privileged"],
      ["logging", "baseline"],
    ] as const) {
      const namespace = find("Namespace", name);
      expect(namespace?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe(level);
      expect(namespace?.metadata.annotations?.["kubeforge.dev/pod-security-reason"]).toMatch(/.{20,}/);
    }
  });

  it("lets a namespace in the model replace a component's default", () => {
    const { objects } = render((input) => {
      input.namespaces = [
        ...(input.namespaces ?? []),
        { name: "monitoring", podSecurity: "privileged", podSecurityReason: "mine", quota: { pods: 7 } },
      ];
    });
    const quotas = objects.filter(
      (object) => object.kind === "ResourceQuota" && object.metadata.namespace === "monitoring",
    );
    expect(quotas).toHaveLength(1);
    expect(quotas[0]?.spec.hard.pods).toBe("7");
  });

  it("wires an app: restricted pod, Service, PVC, ServiceMonitor and its own guarded namespace", () => {
    const { find, objects } = render((input) => {
      input.apps = [podinfo];
    });
    const deployment = find("Deployment", "podinfo");
    const pod = deployment?.spec.template.spec;
    expect(pod.securityContext).toEqual({
      fsGroup: 100,
      runAsGroup: 100,
      runAsNonRoot: true,
      runAsUser: 100,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    expect(pod.containers[0].livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" } });
    expect(pod.priorityClassName).toBe("kubeforge-apps");
    expect(deployment?.spec.strategy).toEqual({ type: "Recreate" });
    expect(find("PersistentVolumeClaim", "podinfo-data")?.spec.resources.requests.storage).toBe("1Gi");
    expect(find("ServiceMonitor", "podinfo")?.spec.endpoints).toEqual([
      { interval: "30s", path: "/metrics", port: "http" },
    ]);
    expect(find("Namespace", "podinfo")?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const podinfoObjects = objects.filter((object) => object.metadata.namespace === "podinfo");
    expect(new Set(podinfoObjects.map((object) => object.file))).toEqual(
      new Set(["apps/podinfo.yaml", "infrastructure/namespace-podinfo.yaml"]),
    );
    const ingress = objects.find(
      (object) => object.metadata.name === "allow-declared-ingress" && object.metadata.namespace === "podinfo",
    );
    expect(ingress?.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ns-1" } } }] },
    ]);
  });

  it("starts Grafana even before the user adds its OIDC client Secret", () => {
    // A required envFrom Secret that is not in the tree keeps Grafana in CreateContainerConfigError, so
    // the kube-prometheus-stack release and the whole infrastructure layer never become Ready.
    const { objects, find } = render();
    const grafana = find("HelmRelease", "kube-prometheus-stack")?.spec.values.grafana;
    const secretsInTree = objects.filter((object) => object.kind === "Secret").map((object) => object.metadata.name);
    expect(secretsInTree).not.toContain("grafana-oidc");
    expect(grafana.envFromSecret).toBeUndefined();
    expect(grafana.envFromSecrets).toEqual([{ name: "grafana-oidc", optional: true }]);
  });

  it("creates each StorageClass no later than the layer of any volume Helm or Flux waits on (no deadlock)", () => {
    const { objects, find } = render((input) => {
      input.apps = [podinfo];
    });
    const layers = LAYERS.map((layer) => layer.name);
    const layerOf = (object: Obj | undefined) => layers.indexOf(object?.file?.split("/")[0] ?? "");
    const loki = find("HelmRelease", "loki");
    const stack = find("HelmRelease", "kube-prometheus-stack")?.spec.values;
    const claims: Array<[Obj | undefined, string]> = [
      [loki, loki?.spec.values.singleBinary.persistence.storageClass],
      [
        find("HelmRelease", "kube-prometheus-stack"),
        stack.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName,
      ],
      [
        find("HelmRelease", "kube-prometheus-stack"),
        stack.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName,
      ],
      ...objects
        .filter((object) => object.kind === "PersistentVolumeClaim")
        .map((claim): [Obj, string] => [claim, claim.spec.storageClassName ?? "fast"]),
    ];
    expect(claims.length).toBeGreaterThan(3);
    for (const [user, className] of claims) {
      const storageClass = find("StorageClass", className);
      expect(layerOf(storageClass), `StorageClass ${className}`).toBeGreaterThanOrEqual(0);
      // Same layer is fine: kustomize applies the class with the HelmRelease, before helm-controller installs.
      expect(layerOf(user), `${user?.kind} ${user?.metadata.name}`).toBeGreaterThanOrEqual(layerOf(storageClass));
    }
  });

  it("lands every namespace's guardrails in the layer that creates the namespace, before its pods", () => {
    const { objects } = render((input) => {
      input.apps = [podinfo];
    });
    const namespaces = objects.filter((object) => object.kind === "Namespace");
    expect(namespaces.length).toBeGreaterThan(3);
    for (const namespace of namespaces) {
      const layer = namespace.file?.split("/")[0];
      const guardrails = objects.filter(
        (object) =>
          object.metadata.namespace === namespace.metadata.name &&
          ["ResourceQuota", "LimitRange", "NetworkPolicy"].includes(object.kind),
      );
      expect(guardrails.length, namespace.metadata.name).toBeGreaterThanOrEqual(3);
      for (const object of guardrails)
        expect(object.file?.split("/")[0], `${object.kind} ${object.metadata.name}`).toBe(layer);
      const workloads = objects.filter(
        (object) =>
          object.metadata.namespace === namespace.metadata.name &&
          ["HelmRelease", "Deployment", "StatefulSet", "DaemonSet"].includes(object.kind),
      );
      const order = LAYERS.map((entry) => entry.name);
      for (const workload of workloads) {
        expect(order.indexOf(workload.file?.split("/")[0] ?? "")).toBeGreaterThanOrEqual(order.indexOf(layer ?? ""));
      }
    }
  });

  it("leaves exactly one default StorageClass: the model's; the CubeFS chart's cfs-sc is neither default nor installed", () => {
    const { objects, find } = render();
    const defaults = objects.filter(
      (object) =>
        object.kind === "StorageClass" &&
        object.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
    );
    expect(defaults.map((object) => object.metadata.name)).toEqual(["fast"]);
    const cubefs = find("HelmRelease", "cubefs")?.spec;
    // The 3.2.0 chart reads csi.storageClass.setToDefault (there is no `enabled` key) and always renders cfs-sc.
    expect(cubefs.values.csi.storageClass).toEqual({ setToDefault: false });
    const patches: { patch: string }[] = cubefs.postRenderers[0].kustomize.patches;
    expect(patches.map((entry) => entry.patch)).toContainEqual(
      expect.stringMatching(/\$patch: delete[\s\S]*kind: StorageClass[\s\S]*name: cfs-sc/),
    );
  });

  it("sizes platform quotas for every pod their charts run on three nodes, plus one replacement pod", () => {
    // Summed by hand from the charts' templates, our values and the LimitRange defaults (100m/128Mi
    // requests, 500m/512Mi limits), then one more of the largest pod for a surge or a rescheduled pod.
    const minimum: Record<string, Record<string, string>> = {
      // masters, metanodes, datanodes, CSI controller (4 × 200m/256Mi), CSI node (registrar + driver)
      cubefs: {
        "requests.cpu": "5200m",
        "requests.memory": "12032Mi",
        "limits.cpu": "20500m",
        "limits.memory": "32256Mi",
      },
      // Prometheus (+ reloader), Alertmanager (2), Grafana (3), operator, kube-state-metrics, 3 node-exporters
      monitoring: { "requests.cpu": "2200m", "requests.memory": "5632Mi", "limits.cpu": "10", "limits.memory": "14Gi" },
      // Loki (+ rules sidecar), 3 Alloy (+ reloader)
      logging: { "requests.cpu": "1050m", "requests.memory": "2048Mi", "limits.cpu": "6", "limits.memory": "8Gi" },
    };
    const { objects } = render();
    for (const [namespace, fields] of Object.entries(minimum)) {
      const hard = objects.find((object) => object.kind === "ResourceQuota" && object.metadata.namespace === namespace)
        ?.spec.hard;
      for (const [field, value] of Object.entries(fields)) {
        const parse = field.endsWith("cpu") ? parseCpu : parseMemory;
        expect(parse(String(hard[field])), `${namespace} ${field}: ${hard[field]} < ${value}`).toBeGreaterThanOrEqual(
          parse(value),
        );
      }
    }
  });

  it("grows quotas with what the model asks for: app replicas and volume, Prometheus and Loki storage", () => {
    const { objects } = render((input) => {
      input.apps = [
        {
          ...podinfo,
          replicas: 6,
          limits: { cpu: "1", memory: "1Gi" },
          storage: { size: "150Gi", mountPath: "/data" },
        },
      ];
      input.monitoring = { prometheusStorage: "500Gi" };
      input.logging = { storage: "120Gi" };
    });
    const hard = (namespace: string) =>
      objects.find((object) => object.kind === "ResourceQuota" && object.metadata.namespace === namespace)?.spec.hard;
    // six replicas and one surge pod, each limited to 1 CPU and 1Gi
    expect(parseCpu(String(hard("podinfo")["limits.cpu"]))).toBeGreaterThanOrEqual(7000);
    expect(parseMemory(String(hard("podinfo")["limits.memory"]))).toBeGreaterThanOrEqual(7 * 1024);
    expect(parseMemory(String(hard("podinfo")["requests.storage"]))).toBeGreaterThanOrEqual(150 * 1024);
    // Prometheus 500Gi + Alertmanager 2Gi; Loki 120Gi
    expect(parseMemory(String(hard("monitoring")["requests.storage"]))).toBeGreaterThanOrEqual(502 * 1024);
    expect(parseMemory(String(hard("logging")["requests.storage"]))).toBeGreaterThanOrEqual(120 * 1024);
  });

  it("lets the API server reach the operator's admission webhook in monitoring through Cilium entities, not node ipBlocks", () => {
    const { objects } = render();
    const monitoring = objects.filter((object) => object.metadata.namespace === "monitoring");
    const webhook = monitoring.find((object) => object.kind === "CiliumNetworkPolicy");
    expect(webhook?.spec).toEqual({
      endpointSelector: { matchLabels: { app: "kube-prometheus-stack-operator" } },
      ingress: [
        {
          fromEntities: ["kube-apiserver", "remote-node", "host"],
          toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }],
        },
      ],
    });
    const ingressCidrs = monitoring
      .filter((object) => object.kind === "NetworkPolicy")
      .flatMap((policy) => policy.spec.ingress ?? [])
      .flatMap((rule: { from?: { ipBlock?: { cidr: string } }[] }) => rule.from ?? [])
      .filter((peer: { ipBlock?: unknown }) => peer.ipBlock);
    expect(ingressCidrs).toEqual([]);
  });

  it("keeps the CubeFS metanode's memory budget below its container's memory limit", () => {
    const metanode = render().find("HelmRelease", "cubefs")?.spec.values.metanode;
    const limitBytes = parseMemory(metanode.resources.limits.memory) * 2 ** 20;
    expect(Number(metanode.total_mem)).toBeLessThanOrEqual(0.8 * limitBytes);
  });

  it("ships dashboards as ConfigMaps the Grafana sidecar picks up", () => {
    const { objects } = render();
    const dashboards = objects.filter(
      (object) => object.kind === "ConfigMap" && object.metadata.labels?.grafana_dashboard === "1",
    );
    expect(dashboards.length).toBeGreaterThanOrEqual(4);
    for (const dashboard of dashboards) {
      const [json] = Object.values(dashboard.data ?? {});
      expect(JSON.parse(json ?? "{}").panels.length).toBeGreaterThan(0);
    }
  });
});
