// Policy rules stated case by case on small in-memory trees, each written to kill a mutant that survived the
// fixture suite (`pnpm mutation validate-rules`): a rule must refuse exactly what the policy forbids.
import { describe, expect, it } from "vitest";
import { readBundledCrdSchemas, readKubernetesSchemas, readKubernetesValidators } from "../schemas/schema-files.js";
import { SchemaRegistry } from "../schemas/schema-registry.js";
import { parseManifestText } from "../tree/load-documents.js";
import { allowedClusterAdminGroups, clusterAdminBindingRule } from "./cluster-admin-binding.js";
import { containerResourcesRule } from "./container-resources.js";
import { checkImage, imagePinnedRule, imageTag } from "./image-pinned.js";
import { deniedDirections, namespaceDefaultDenyRule } from "./namespace-default-deny.js";
import { namespaceLimitRangeRule } from "./namespace-limit-range.js";
import { namespacePodSecurityRule } from "./namespace-pod-security.js";
import { namespaceResourceQuotaRule } from "./namespace-resource-quota.js";
import type { Rule, RuleContext } from "./rule.js";
import { checkDocumentSchema } from "./schema.js";

const documentsOf = (text: string) => parseManifestText(text, { file: "t.yaml", absolutePath: "/t.yaml" }).documents;

/** `path: message` of every finding of `rule` on the YAML stream. */
async function run(rule: Rule, text: string, extra: Partial<RuleContext> = {}): Promise<string[]> {
  const context = { documents: documentsOf(text), files: [], ...extra } as unknown as RuleContext;
  return (await rule.check(context)).map((finding) => `${finding.path}: ${finding.message}`);
}

let registry: SchemaRegistry | undefined;
async function schemaErrors(text: string): Promise<string[]> {
  registry ??= new SchemaRegistry({
    kubernetes: await readKubernetesSchemas(),
    crds: await readBundledCrdSchemas(),
    precompiled: await readKubernetesValidators(),
  });
  const context = { schemas: registry } as unknown as RuleContext;
  return documentsOf(text)
    .flatMap((document) => checkDocumentSchema(document, context))
    .map((finding) => `${finding.rule} ${finding.path}: ${finding.message}`);
}

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels: {pod-security.kubernetes.io/enforce: restricted}
`;
const policy = (spec: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: team}
spec: ${spec}
`;

describe("schema rule", () => {
  it("a Deployment without selector fails on the required field", async () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata: {labels: {app: d}}
    spec:
      containers: [{name: c, image: "nginx:1.27.3"}]
`;
    expect(await schemaErrors(text)).toEqual(['schema spec: missing required field "selector"']);
  });

  it("a wrong enum value names the allowed values", async () => {
    const text = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: k, namespace: flux-system}
spec:
  interval: 10m
  path: ./x
  prune: true
  sourceRef: {kind: GitRepository, name: g}
  decryption: {provider: age}
`;
    expect(await schemaErrors(text)).toEqual([
      'schema spec.decryption.provider: "age" is not allowed: must be one of "sops"',
    ]);
  });

  it("built-in kinds check enum fields too (client-node's models have none; the API server rejects these)", async () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: s, namespace: default}
spec: {type: loadbalancer, ports: [{port: 80, protocol: tcp}], selector: {app: a}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingres, Egress]
  ingress: [{ports: [{port: 53, protocol: udp}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ok, namespace: default}
spec: {type: LoadBalancer, ports: [{port: 53, protocol: UDP}], selector: {app: a}}
`;
    expect(await schemaErrors(text)).toEqual([
      'schema spec.ports[0].protocol: "tcp" is not allowed: must be one of "SCTP", "TCP", "UDP"',
      'schema spec.type: "loadbalancer" is not allowed: must be one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'schema spec.ingress[0].ports[0].protocol: "udp" is not allowed: must be one of "SCTP", "TCP", "UDP"',
      'schema spec.policyTypes[0]: "Ingres" is not allowed: must be one of "Egress", "Ingress"',
    ]);
  });

  it("an unknown field is reported once, at its own path", async () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\ndatta: {}\n";
    expect(await schemaErrors(text)).toEqual(['schema datta: unknown field "datta"']);
  });

  it("a document without apiVersion or kind is not a Kubernetes object", async () => {
    expect(await schemaErrors("kind: ConfigMap\nmetadata: {name: c}\n")).toEqual([
      "schema apiVersion: is not a Kubernetes object: apiVersion and kind are required",
    ]);
    expect(await schemaErrors("apiVersion: v1\nmetadata: {name: c}\n")).toEqual([
      "schema kind: is not a Kubernetes object: apiVersion and kind are required",
    ]);
  });

  it("an unknown kind is a warning, not an error", async () => {
    expect(await schemaErrors("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")).toEqual([
      "unknown-kind kind: no schema for example.com/v1 Widget, so it was not checked",
    ]);
  });

  it("the SOPS block of an encrypted Secret is not schema-checked", async () => {
    const text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: ENC}\nsops: {version: 3.9.0}\n";
    expect(await schemaErrors(text)).toEqual([]);
  });
});

describe("namespace-default-deny", () => {
  it("a policy selecting only some pods is not the namespace's default-deny", async () => {
    const text = NAMESPACE + policy("{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress]}");
    expect(await run(namespaceDefaultDenyRule, text)).toEqual([
      "metadata.name: namespace team has no default-deny NetworkPolicy for Ingress and Egress",
    ]);
    expect(
      await run(
        namespaceDefaultDenyRule,
        NAMESPACE +
          policy("{podSelector: {matchExpressions: [{key: a, operator: Exists}]}, policyTypes: [Ingress, Egress]}"),
      ),
    ).toHaveLength(1);
  });

  it("podSelector {} (or empty matchLabels) with both types and no rules is a default-deny", async () => {
    expect(
      await run(namespaceDefaultDenyRule, NAMESPACE + policy("{podSelector: {}, policyTypes: [Ingress, Egress]}")),
    ).toEqual([]);
    expect(
      await run(
        namespaceDefaultDenyRule,
        NAMESPACE + policy("{podSelector: {matchLabels: {}, matchExpressions: []}, policyTypes: [Ingress, Egress]}"),
      ),
    ).toEqual([]);
  });

  it("without policyTypes a policy denies only Ingress; an allow rule cancels its direction", async () => {
    expect(await run(namespaceDefaultDenyRule, NAMESPACE + policy("{podSelector: {}}"))).toEqual([
      "metadata.name: namespace team has no default-deny NetworkPolicy for Egress",
    ]);
    expect(
      await run(
        namespaceDefaultDenyRule,
        NAMESPACE + policy("{podSelector: {}, policyTypes: [Ingress, Egress], egress: [{to: [{podSelector: {}}]}]}"),
      ),
    ).toEqual(["metadata.name: namespace team has no default-deny NetworkPolicy for Egress"]);
  });

  it("two policies together (one per direction) cover the namespace; a policy elsewhere does not", async () => {
    const text =
      NAMESPACE +
      policy("{podSelector: {}, policyTypes: [Ingress]}") +
      policy("{podSelector: {}, policyTypes: [Egress]}").replace("name: p,", "name: q,");
    expect(await run(namespaceDefaultDenyRule, text)).toEqual([]);
    expect(
      await run(
        namespaceDefaultDenyRule,
        NAMESPACE +
          policy("{podSelector: {}, policyTypes: [Ingress, Egress]}").replace("namespace: team", "namespace: other"),
      ),
    ).toHaveLength(1);
  });

  it("deniedDirections: no podSelector at all selects nothing here", () => {
    const [document] = documentsOf(policy("{policyTypes: [Ingress, Egress]}"));
    if (!document) throw new Error("no document");
    expect(deniedDirections(document)).toEqual([]);
  });

  it("a workload in an undeclared namespace is checked too, and the hint says to declare it", async () => {
    const context = {
      documents: documentsOf(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: ghost}\nspec: {containers: [{name: c, image: 'a:1'}]}\n",
      ),
      files: [],
    } as unknown as RuleContext;
    const [finding] = await namespaceDefaultDenyRule.check(context);
    expect(finding?.path).toBe("metadata.namespace");
    expect(finding?.hint).toMatch(/; and declare Namespace ghost in the tree \(nothing declares it\)$/);
  });
});

describe("quota, limit range and Pod Security", () => {
  it("quota and limit range: present in the namespace passes, elsewhere does not", async () => {
    const quota = "---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: team}\nspec: {}\n";
    const limits = "---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: team}\nspec: {limits: []}\n";
    expect(await run(namespaceResourceQuotaRule, NAMESPACE + quota)).toEqual([]);
    expect(await run(namespaceResourceQuotaRule, NAMESPACE + limits)).toEqual([
      "metadata.name: namespace team has no ResourceQuota",
    ]);
    expect(await run(namespaceLimitRangeRule, NAMESPACE + limits)).toEqual([]);
    expect(await run(namespaceLimitRangeRule, NAMESPACE + quota)).toEqual([
      "metadata.name: namespace team has no LimitRange",
    ]);
  });

  it("Pod Security: an invalid audit or warn level is named; a built-in namespace is not checked", async () => {
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/audit: strict
    pod-security.kubernetes.io/warn: baseline
`;
    expect(await run(namespacePodSecurityRule, text)).toEqual([
      'metadata.labels.pod-security.kubernetes.io/audit: pod-security.kubernetes.io/audit is "strict"',
    ]);
    expect(
      await run(namespacePodSecurityRule, "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n"),
    ).toEqual([]);
    expect(await run(namespacePodSecurityRule, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n")).toEqual([
      "metadata.labels: has no pod-security.kubernetes.io/enforce label",
    ]);
  });
});

describe("containers", () => {
  const deployment = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: team}
spec:
  template:
    spec:
      containers: [${container}]
`;

  it("resources: each missing request and limit is named; an empty string counts as missing", async () => {
    expect(
      await run(
        containerResourcesRule,
        deployment("{name: c, image: 'a:1', resources: {requests: {cpu: '', memory: 1Mi}, limits: {cpu: 1}}}"),
      ),
    ).toEqual([
      'spec.template.spec.containers[0].resources.requests: container "c" has no requests for cpu',
      'spec.template.spec.containers[0].resources.limits: container "c" has no limits for memory',
    ]);
    expect(
      await run(
        containerResourcesRule,
        deployment(
          "{name: c, image: 'a:1', resources: {requests: {cpu: 1, memory: 1Mi}, limits: {cpu: 1, memory: 1Mi}}}",
        ),
      ),
    ).toEqual([]);
  });

  it("images: a registry port is not a tag; a digest pins; latest and no tag do not", async () => {
    expect(imageTag("registry:5000/app")).toBeUndefined();
    expect(imageTag("registry:5000/app:1.2")).toBe("1.2");
    expect(imageTag("app:1.2@sha256:abc")).toBe("1.2");
    expect(checkImage(`app@sha256:${"a".repeat(64)}`)).toBeUndefined();
    expect(checkImage("app:latest")).toBe('image "app:latest" uses the latest tag');
    expect(checkImage("registry:5000/app")).toBe('image "registry:5000/app" has no tag, so it means latest');
    expect(checkImage("app:1.2")).toBeUndefined();
    expect(await run(imagePinnedRule, deployment("{name: c}"))).toEqual([
      'spec.template.spec.containers[0].image: container "c" has no image',
    ]);
  });
});

describe("cluster-admin-binding", () => {
  const binding = (subjects: string, role = "cluster-admin") => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: ${subjects}
`;
  const cluster = {
    oidc: {
      groupsPrefix: "oidc:",
      bindings: [
        { group: "admins", clusterRole: "cluster-admin" },
        { group: "team-admins", clusterRole: "cluster-admin", namespace: "team" },
        { group: "devs", clusterRole: "edit" },
      ],
    },
  };

  it("only cluster-wide cluster-admin bindings of the model, with the groups prefix, are allowed", async () => {
    expect([...allowedClusterAdminGroups(cluster as never)]).toEqual(["oidc:admins"]);
    expect(allowedClusterAdminGroups(undefined).size).toBe(0);
    const subjects =
      "[{kind: Group, name: 'oidc:admins'}, {kind: User, name: 'oidc:admins'}, {kind: Group, name: admins}]";
    expect(await run(clusterAdminBindingRule, binding(subjects), { cluster: cluster as never })).toEqual([
      'subjects[1]: User "oidc:admins" is bound to cluster-admin cluster-wide',
      'subjects[2]: Group "admins" is bound to cluster-admin cluster-wide',
    ]);
    expect(await run(clusterAdminBindingRule, binding(subjects, "view"), { cluster: cluster as never })).toEqual([]);
  });

  it("the hint names the allowed groups, or says to declare one", async () => {
    const context = (withCluster: boolean) =>
      ({
        documents: documentsOf(binding("[{kind: Group, name: x}]")),
        files: [],
        ...(withCluster ? { cluster } : {}),
      }) as unknown as RuleContext;
    const [withModel] = await clusterAdminBindingRule.check(context(true));
    expect(withModel?.hint).toMatch(/^only oidc:admins may hold cluster-admin/);
    const [withoutModel] = await clusterAdminBindingRule.check(context(false));
    expect(withoutModel?.hint).toBe(
      "bind a narrower ClusterRole, or declare the group in oidc.bindings of the cluster model",
    );
  });
});

describe("namespaces the policies apply to", () => {
  const pod = (namespace: string, name = "x") =>
    `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {containers: [{name: c, image: 'a:1'}]}\n`;

  it("a workload in a declared namespace does not add it again; two in an undeclared one name it once", async () => {
    expect(await run(namespaceResourceQuotaRule, NAMESPACE + pod("team"))).toEqual([
      "metadata.name: namespace team has no ResourceQuota",
    ]);
    expect(await run(namespaceResourceQuotaRule, pod("shop") + pod("shop", "y"))).toEqual([
      "metadata.namespace: namespace shop has no ResourceQuota",
    ]);
  });

  it("built-in namespaces, objects without a namespace and non-workloads are not checked", async () => {
    const config = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n";
    const bare = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c, image: 'a:1'}]}\n";
    expect(await run(namespaceResourceQuotaRule, pod("kube-system") + config + bare)).toEqual([]);
  });

  it("only a v1 Namespace with a name is a declared namespace", async () => {
    const other = "apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: team}\n";
    const unnamed = "---\napiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n";
    expect(await run(namespaceResourceQuotaRule, other + unnamed)).toEqual([]);
    expect(await run(namespacePodSecurityRule, other + unnamed)).toEqual([]);
  });

  it("the fix for a declared namespace says what to add, and nothing about declaring it", async () => {
    const context = { documents: documentsOf(NAMESPACE), files: [] } as unknown as RuleContext;
    const [quota] = await namespaceResourceQuotaRule.check(context);
    expect(quota).toMatchObject({
      rule: "namespace-resource-quota",
      hint: "add a ResourceQuota in the namespace so one workload cannot take the cluster's capacity",
    });
  });
});

describe("Pod Security levels", () => {
  const namespace = (labels: string) =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels: {${labels}}\n`;

  it("each of enforce, audit and warn must name a valid level; the finding says which are valid", async () => {
    const text = namespace(
      "pod-security.kubernetes.io/enforce: strict, pod-security.kubernetes.io/audit: baseline, pod-security.kubernetes.io/warn: lax",
    );
    expect(await run(namespacePodSecurityRule, text)).toEqual([
      'metadata.labels.pod-security.kubernetes.io/enforce: pod-security.kubernetes.io/enforce is "strict"',
      'metadata.labels.pod-security.kubernetes.io/warn: pod-security.kubernetes.io/warn is "lax"',
    ]);
    const [finding] = await namespacePodSecurityRule.check({ documents: documentsOf(text), files: [] } as never);
    expect(finding).toMatchObject({
      rule: "namespace-pod-security",
      hint: "use one of privileged, baseline, restricted",
    });
  });

  it("a namespace only a workload names has no labels at all: declare it", async () => {
    const context = {
      documents: documentsOf(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {spec: {containers: [{name: c, image: 'a:1'}]}}}\n",
      ),
      files: [],
    } as unknown as RuleContext;
    expect(await namespacePodSecurityRule.check(context)).toMatchObject([
      {
        rule: "namespace-pod-security",
        path: "metadata.namespace",
        message: "namespace shop is not declared in the tree, so it has no pod-security.kubernetes.io/enforce label",
        hint: "declare Namespace shop with pod-security.kubernetes.io/enforce: restricted (or baseline/privileged with a documented reason)",
      },
    ]);
  });
});

describe("container resources and images, more cases", () => {
  const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: ${spec}\n`;

  it("names every missing resource and the fields to set; ephemeral (debug) containers need none", async () => {
    const context = {
      documents: documentsOf(
        pod("{containers: [{name: c, image: 'a:1'}], ephemeralContainers: [{name: debug, image: 'a:1'}]}"),
      ),
      files: [],
    } as unknown as RuleContext;
    const findings = await containerResourcesRule.check(context);
    expect(findings.map(({ path, message, hint }) => ({ path, message, hint }))).toEqual([
      {
        path: "spec.containers[0].resources.requests",
        message: 'container "c" has no requests for cpu and memory',
        hint: "set resources.requests.cpu and resources.requests.memory so the scheduler and quota can account for it",
      },
      {
        path: "spec.containers[0].resources.limits",
        message: 'container "c" has no limits for cpu and memory',
        hint: "set resources.limits.cpu and resources.limits.memory so the scheduler and quota can account for it",
      },
    ]);
  });

  it("a digest must end the image; an image that is not a string is no image", async () => {
    expect(checkImage(`app@sha256:${"a".repeat(64)}-extra`)).toBe(
      `image "app@sha256:${"a".repeat(64)}-extra" has no tag, so it means latest`,
    );
    expect(await run(imagePinnedRule, pod("{containers: [{name: c, image: 5}]}"))).toEqual([
      'spec.containers[0].image: container "c" has no image',
    ]);
  });
});

describe("cluster-admin-binding, more cases", () => {
  const binding = (rest: string) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n${rest}`;

  it("a binding without subjects grants nothing; a subject that is not an object is still reported", async () => {
    const roleRef = "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n";
    expect(await run(clusterAdminBindingRule, binding(roleRef))).toEqual([]);
    expect(await run(clusterAdminBindingRule, binding(`${roleRef}subjects: [oops]\n`))).toEqual([
      'subjects[0]:  "" is bound to cluster-admin cluster-wide',
    ]);
  });

  it("only the ClusterRole cluster-admin counts, not a Role of that name", async () => {
    const roleRef = "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cluster-admin}\n";
    expect(await run(clusterAdminBindingRule, binding(`${roleRef}subjects: [{kind: User, name: eve}]\n`))).toEqual([]);
  });

  it("with several allowed groups the hint names them all", async () => {
    const cluster = {
      oidc: {
        groupsPrefix: "oidc:",
        bindings: [
          { group: "admins", clusterRole: "cluster-admin" },
          { group: "ops", clusterRole: "cluster-admin" },
        ],
      },
    };
    const context = {
      documents: documentsOf(
        binding("roleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: eve}]\n"),
      ),
      files: [],
      cluster,
    } as unknown as RuleContext;
    const [finding] = await clusterAdminBindingRule.check(context);
    expect(finding?.hint).toBe(
      "only oidc:admins, oidc:ops may hold cluster-admin: bind a narrower ClusterRole, or add the group to oidc.bindings in the cluster model",
    );
  });
});
