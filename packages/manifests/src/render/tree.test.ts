import { isAcknowledgedCiliumObject, loadSchemaValidator } from "@kubeforge/test-utils";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { fixtureCluster } from "../../test/fixture-cluster.js";
import { GENERATED_MARKER } from "./serialize.js";
import { renderTree } from "./tree.js";

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};

function objectsOf(files: ReturnType<typeof renderTree>): K8sObject[] {
  return files
    .filter((file) => !file.path.endsWith("kustomization.yaml"))
    .flatMap((file) => parseAllDocuments(file.content).map((document) => document.toJS() as K8sObject));
}

describe("renderTree", () => {
  const cluster = fixtureCluster();
  const files = renderTree(cluster, { source: "lab/cluster.ts" });
  const objects = objectsOf(files);
  const find = (kind: string, name: string, namespace?: string) =>
    objects.find(
      (object) => object.kind === kind && object.metadata.name === name && object.metadata.namespace === namespace,
    );

  it("is byte-identical across renders", () => {
    expect(renderTree(cluster, { source: "lab/cluster.ts" })).toEqual(files);
  });

  it("lays out the layers and a kustomization.yaml in every folder", () => {
    expect(files.map((file) => file.path)).toEqual([
      "apps.yaml",
      "apps/kustomization.yaml",
      "apps/logging.yaml",
      "configs.yaml",
      "configs/dashboards.yaml",
      "configs/kustomization.yaml",
      "configs/monitors.yaml",
      "flux-system/gotk-sync.yaml",
      "flux-system/kustomization.yaml",
      "infrastructure.yaml",
      "infrastructure/cilium.yaml",
      "infrastructure/cubefs.yaml",
      "infrastructure/helm-repositories.yaml",
      "infrastructure/kube-prometheus-stack.yaml",
      "infrastructure/kustomization.yaml",
      "infrastructure/namespace-cubefs.yaml",
      "infrastructure/namespace-logging.yaml",
      "infrastructure/namespace-monitoring.yaml",
      "infrastructure/namespace-ns-1.yaml",
      "infrastructure/namespace-ns-2.yaml",
      "infrastructure/namespaces.yaml",
      "infrastructure/priority-classes.yaml",
      "infrastructure/rbac-oidc.yaml",
      "infrastructure/storage-classes.yaml",
      "kustomization.yaml",
    ]);
    for (const file of files) expect(file.content.startsWith(GENERATED_MARKER)).toBe(true);
    const root = parse(files.find((file) => file.path === "kustomization.yaml")!.content);
    // Layer folders are applied by their own Flux Kustomizations, never by the root.
    expect(root.resources).toEqual(["apps.yaml", "configs.yaml", "flux-system", "infrastructure.yaml"]);
  });

  it("matches the file snapshots", async () => {
    for (const file of files) await expect(file.content).toMatchFileSnapshot(`__snapshots__/lab/${file.path}`);
  });

  it("labels namespaces with Pod Security Standards for the cluster's Kubernetes minor", () => {
    expect(find("Namespace", "ns-1")?.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.35",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("gives every namespace a quota, limits, default-deny, DNS and same-namespace policies", () => {
    for (const namespace of ["ns-1", "ns-2"]) {
      expect(find("ResourceQuota", "default-quota", namespace)).toBeDefined();
      expect(find("LimitRange", "default-limits", namespace)).toBeDefined();
      expect(find("NetworkPolicy", "default-deny", namespace)?.spec).toEqual({
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
      });
      expect(find("NetworkPolicy", "allow-dns", namespace)).toBeDefined();
      expect(find("NetworkPolicy", "allow-same-namespace", namespace)).toBeDefined();
    }
    expect(find("NetworkPolicy", "allow-declared-egress", "ns-1")?.spec?.egress).toEqual([
      {
        to: [
          {
            ipBlock: {
              cidr: "0.0.0.0/0",
              except: [
                "10.0.0.0/24",
                "10.0.0.10/32",
                "10.244.0.0/16",
                "10.96.0.0/12",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
                "169.254.0.0/16",
              ],
            },
          },
        ],
      },
      {
        to: ["10.0.0.11/32", "10.0.0.12/32", "10.0.0.13/32", "10.0.0.10/32"].map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ port: 6443, protocol: "TCP" }],
      },
    ]);
    expect(find("NetworkPolicy", "allow-declared-ingress", "ns-2")?.spec?.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ns-1" } } }] },
    ]);
  });

  it("binds OIDC groups with the groups prefix", () => {
    expect(find("ClusterRoleBinding", "oidc-admins-lab-example-cluster-admin")).toMatchObject({
      roleRef: { kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "Group", name: "oidc:admins@lab.example" }],
    });
    expect(find("RoleBinding", "oidc-devs-lab-example-edit", "ns-1")).toMatchObject({ roleRef: { name: "edit" } });
  });

  it("wires Flux: sops decryption, prune, wait and the layer order", () => {
    const layers = ["infrastructure", "configs", "apps"].map((name) => find("Kustomization", name, "flux-system"));
    expect(layers.map((layer) => layer?.spec?.dependsOn)).toEqual([
      undefined,
      [{ name: "infrastructure" }],
      [{ name: "configs" }],
    ]);
    for (const layer of layers) {
      expect(layer?.spec).toMatchObject({
        prune: true,
        wait: true,
        timeout: "20m",
        serviceAccountName: "kustomize-controller",
        decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      });
    }
    // The root applies the layer objects only; waiting would put every layer's releases under its 5m.
    expect(find("Kustomization", "flux-system", "flux-system")?.spec).toMatchObject({
      prune: true,
      wait: false,
      timeout: "5m",
      serviceAccountName: "kustomize-controller",
    });
    expect(find("Kustomization", "flux-system", "flux-system")?.spec?.path).toBe("./clusters/lab/flux");
    expect(find("GitRepository", "flux-system", "flux-system")?.spec).toEqual({
      interval: "1m",
      ref: { branch: "main" },
      url: "https://git.lab.example/infra.git",
    });
  });

  it("renders objects that all validate strictly: built-in kinds and the upstream Flux and prometheus-operator CRDs", async () => {
    const validator = await loadSchemaValidator();
    // Cilium installs its own CRDs; its objects carry validate's unknown-kind acknowledgement instead.
    const checked = objects.filter((object) => !isAcknowledgedCiliumObject(object));
    expect(checked.filter((object) => !validator.has(object.apiVersion, object.kind))).toEqual([]);
    expect(new Set(objects.map((object) => object.kind))).toContain("HelmRelease");
    for (const object of checked) {
      expect(validator.validate(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
    }
  });

  it("refuses two files at one path", () => {
    expect(() => renderTree(cluster, { extraFiles: [{ path: "kustomization.yaml", content: "x" }] })).toThrow(
      "two files of the tree share the path kustomization.yaml",
    );
  });
});

describe("strict CRD validation used above", () => {
  it("rejects an unknown field, as kubectl --validate=strict does", async () => {
    const validator = await loadSchemaValidator();
    const object = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "x" },
      spec: { interval: "1m", prune: true, sourceRef: { kind: "GitRepository", name: "x" }, prunne: false },
    };
    expect(validator.validate(object).join("\n")).toContain("must NOT have additional properties");
  });
});
