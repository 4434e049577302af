// Reads the committed trees of both example clusters and states what they grant and deny: Grafana,
// kube-vip and Flux RBAC, priorities, layer timeouts, and that model strings cannot inject into the
// Corefile or Grafana's JMESPath.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { validateCluster } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { fixtureInput } from "../../test/fixture-cluster.js";
import { LAYERS, LONGEST_HELM_TIMEOUT_MINUTES } from "../charts/flux.js";
import { corefile, corefileToken } from "../components/coredns.js";
import { durationMinutes } from "../components/helm.js";
import { grafanaRolePath, jmespathIdentifier, jmespathLiteral } from "../components/monitoring.js";

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered YAML is walked by shape in assertions
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  rules?: any[];
  // biome-ignore lint/suspicious/noExplicitAny: as above
  roleRef?: any;
  value?: number;
  globalDefault?: boolean;
  file: string;
};

const clustersDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../clusters");

function readTree(cluster: string): Obj[] {
  const root = path.join(clustersDir, cluster, "flux");
  const objects: Obj[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name.endsWith(".yaml") && name !== "kustomization.yaml" && !name.endsWith(".sops.yaml")) {
        for (const document of parseAllDocuments(readFileSync(full, "utf8"))) {
          objects.push({ ...(document.toJS() as Obj), file: path.relative(root, full) });
        }
      }
    }
  };
  visit(root);
  return objects;
}

describe.each(["homelab", "staging"])("the committed %s tree", (name) => {
  const objects = readTree(name);
  const find = (kind: string, objectName: string) =>
    objects.find((object) => object.kind === kind && object.metadata.name === objectName);
  const stack = find("HelmRelease", "kube-prometheus-stack")?.spec;

  it("Grafana: a Role in monitoring that reads ConfigMaps only; no ClusterRole, no Secrets, no other namespace", () => {
    const grafana = stack.values.grafana;
    // rbac.namespaced: the chart renders a Role + RoleBinding in monitoring and no ClusterRole(Binding).
    expect(grafana.rbac).toEqual({ namespaced: true });
    expect(grafana.rbac.extraClusterRoleRules).toBeUndefined();
    // The sidecars watch ConfigMaps (not Secrets) of monitoring only (kube-prometheus-stack defaults to ALL).
    expect(grafana.sidecar.dashboards).toMatchObject({ searchNamespace: "monitoring", resource: "configmap" });
    expect(grafana.sidecar.datasources).toEqual({ resource: "configmap" });
    for (const sidecar of ["alerts", "plugins", "notifiers"]) expect(grafana.sidecar[sidecar]).toBeUndefined();
    // The chart's Role lists configmaps and secrets; the post-render patch leaves ConfigMaps, read-only.
    const patches = stack.postRenderers[0].kustomize.patches;
    expect(patches).toEqual([
      {
        target: {
          group: "rbac.authorization.k8s.io",
          version: "v1",
          kind: "Role",
          name: "kube-prometheus-stack-grafana",
        },
        patch: expect.any(String),
      },
    ]);
    expect(JSON.parse(patches[0].patch)).toEqual([
      {
        op: "replace",
        path: "/rules",
        value: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      },
    ]);
  });

  it("Grafana: only the model's groups sign in, strictly mapped (admins → Admin, the rest → Viewer, others refused)", () => {
    const oauth = stack.values.grafana["grafana.ini"]["auth.generic_oauth"];
    expect(JSON.parse(oauth.allowed_groups)).toEqual([
      "admins@homelab.local",
      "developers@homelab.local",
      "viewers@homelab.local",
    ]);
    expect(oauth.role_attribute_strict).toBe(true);
    expect(oauth.role_attribute_path).toBe(
      `contains("groups"[*], 'admins@homelab.local') && 'Admin' || (contains("groups"[*], 'developers@homelab.local') || contains("groups"[*], 'viewers@homelab.local')) && 'Viewer' || ''`,
    );
    expect(oauth.groups_attribute_path).toBe('"groups"');
    expect(stack.values.grafana.envFromSecrets).toEqual([{ name: "grafana-oidc", optional: true }]);
  });

  it("kube-vip: nothing cluster-wide; in kube-system only its leader Lease", () => {
    const rbac = objects.filter(
      (object) =>
        ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].includes(object.kind) &&
        object.file.includes("kube-vip"),
    );
    if (name === "homelab") {
      expect(rbac).toEqual([]); // api.provider: talos renders no kube-vip at all
      return;
    }
    expect(rbac.map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)).toEqual([
      "Role kube-system/kube-vip",
      "RoleBinding kube-system/kube-vip",
    ]);
    expect(find("Role", "kube-vip")?.rules).toEqual([
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["plndr-cp-lock"],
        verbs: ["get", "update"],
      },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    ]);
    const env = find("DaemonSet", "kube-vip")?.spec.template.spec.containers[0].env;
    // Services are off, so kube-vip needs no Service, Endpoint or Node access.
    expect(env).toContainEqual({ name: "svc_enable", value: "false" });
    expect(env).toContainEqual({ name: "vip_leasename", value: "plndr-cp-lock" });
  });

  it("Flux: every Kustomization names the service account it applies as", () => {
    const kustomizations = objects.filter((object) => object.kind === "Kustomization");
    expect(kustomizations.length).toBe(4);
    for (const kustomization of kustomizations) {
      expect(kustomization.spec.serviceAccountName, kustomization.metadata.name).toBe("kustomize-controller");
    }
  });

  it("Flux: the root does not wait; each layer waits longer than its slowest HelmRelease", () => {
    expect(find("Kustomization", "flux-system")?.spec.wait).toBe(false);
    for (const layer of LAYERS) {
      const kustomization = find("Kustomization", layer.name);
      const releases = objects.filter(
        (object) => object.kind === "HelmRelease" && object.file.startsWith(`${layer.name}/`),
      );
      for (const release of releases) {
        expect(durationMinutes(release.spec.timeout)).toBeLessThanOrEqual(LONGEST_HELM_TIMEOUT_MINUTES);
        expect(
          durationMinutes(kustomization?.spec.timeout),
          `${layer.name} vs ${release.metadata.name}`,
        ).toBeGreaterThan(durationMinutes(release.spec.timeout));
      }
    }
  });

  it("priorities: CNI > storage > monitoring and logging > the default; the declared classes are used", () => {
    const value = (className: string) => {
      if (className === "system-node-critical") return 2_000_001_000;
      if (className === "system-cluster-critical") return 2_000_000_000;
      const priorityClass = find("PriorityClass", className);
      expect(priorityClass, className).toBeDefined();
      return priorityClass?.value ?? 0;
    };
    // Cilium keeps its chart's defaults (agent system-node-critical, operator system-cluster-critical).
    const cilium = find("HelmRelease", "cilium")?.spec.values;
    expect(cilium.priorityClassName).toBeUndefined();
    expect(cilium.operator.priorityClassName).toBeUndefined();
    const cni = Math.min(value("system-node-critical"), value("system-cluster-critical"));
    // Every CubeFS workload (the CSI node plugin included) is patched to kubeforge-storage.
    const cubefs = find("HelmRelease", "cubefs")?.spec.postRenderers[0].kustomize.patches;
    const storageClasses = new Set<string>();
    for (const kind of ["DaemonSet", "Deployment", "StatefulSet"]) {
      const patch = cubefs.find((entry: { target?: { kind: string } }) => entry.target?.kind === kind);
      storageClasses.add(JSON.parse(patch.patch)[0].value);
    }
    expect([...storageClasses]).toEqual(["kubeforge-storage"]);
    const storage = value("kubeforge-storage");
    const values = stack.values;
    const monitoring = [
      values.prometheus.prometheusSpec.priorityClassName,
      values.alertmanager.alertmanagerSpec.priorityClassName,
      values.grafana.priorityClassName,
      values.prometheusOperator.priorityClassName,
      values["kube-state-metrics"].priorityClassName,
      values["prometheus-node-exporter"].priorityClassName,
      find("HelmRelease", "loki")?.spec.values.singleBinary.priorityClassName,
      find("HelmRelease", "alloy")?.spec.values.controller.priorityClassName,
    ].map(value);
    const defaults = objects.filter((object) => object.kind === "PriorityClass" && object.globalDefault);
    expect(defaults).toHaveLength(1);
    const fallback = defaults[0]?.value ?? 0;
    expect(cni).toBeGreaterThan(storage);
    for (const priority of monitoring) {
      expect(storage).toBeGreaterThan(priority);
      expect(priority).toBeGreaterThan(fallback);
      expect(priority).toBeGreaterThan(value("kubeforge-apps"));
    }
    // Every PriorityClass in the tree is used by a workload, a value or a patch (or is the global default).
    const text = objects
      .filter((object) => object.kind !== "PriorityClass")
      .map((object) => JSON.stringify(object))
      .join("\n");
    for (const priorityClass of objects.filter((object) => object.kind === "PriorityClass")) {
      if (priorityClass.globalDefault) continue;
      expect(text, `PriorityClass ${priorityClass.metadata.name} is used`).toMatch(
        new RegExp(`\\b${priorityClass.metadata.name}\\b`),
      );
    }
  });

  it("CoreDNS: Flux never prunes the Corefile it shares with Talos", () => {
    const coredns = find("ConfigMap", "coredns");
    expect(coredns?.metadata.namespace).toBe("kube-system");
    expect(coredns?.metadata.annotations).toEqual({ "kustomize.toolkit.fluxcd.io/prune": "disabled" });
  });
});

describe("model strings bound for another language", () => {
  const base = () => {
    const result = validateCluster(fixtureInput());
    if (!result.ok) throw new Error("fixture invalid");
    return result.cluster;
  };

  it("cannot close a Corefile block or add a directive through network.clusterDomain", () => {
    const cluster = base();
    const hostile = {
      ...cluster,
      network: { ...cluster.network, clusterDomain: "evil } .:53 { forward . 6.6.6.6" },
      coredns: { forwarders: ["10.0.0.1"] },
    };
    const text = corefile(hostile);
    expect(text).toContain(`kubernetes "evil } .:53 { forward . 6.6.6.6" in-addr.arpa`);
    // One server block, one forward directive: the braces inside the quoted token are data.
    expect(text.match(/^\.:53 \{$/gm)).toHaveLength(1);
    // "forward ." appears twice: the real directive and, harmless, inside the quoted zone name.
    expect(text.match(/forward \./g)).toHaveLength(2);
    expect(text).toContain("    forward . 10.0.0.1\n");
    expect(corefileToken("cluster.local")).toBe("cluster.local");
    expect(corefileToken('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => corefileToken("cluster.local\n}")).toThrow("control character");
  });

  it("cannot turn a Viewer into an Admin through a group or claim name in Grafana's JMESPath", () => {
    const cluster = base();
    const hostile = {
      ...cluster,
      oidc: {
        ...cluster.oidc,
        groupsClaim: "groups[*]) || `true` || contains(x",
        bindings: [
          { group: "admins@lab.example", clusterRole: "cluster-admin" },
          { group: "x') || 'Admin' || ('", clusterRole: "view" },
        ],
      },
    };
    const expression = grafanaRolePath(hostile);
    expect(expression).toContain(`'x\\') || \\'Admin\\' || (\\''`);
    expect(expression).toContain(
      `contains("groups[*]) || \`true\` || contains(x"[*], 'admins@lab.example') && 'Admin'`,
    );
    expect(jmespathIdentifier('a"b')).toBe('"a\\"b"');
    expect(jmespathLiteral("it's\\")).toBe("'it\\'s\\\\'");
    expect(() => jmespathLiteral("a\nrole_attribute_path = 'Admin'")).toThrow("control character");
  });
});
