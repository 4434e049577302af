import { describe, expect, it } from "vitest";
import { validateFixture } from "../../test/fixtures.js";

// Each policy's failing fixture under test/fixtures/<rule>/, and what it must report (file, path, line).
const cases: { rule: string; expected: { file: string; path: string; line: number; severity?: string }[] }[] = [
  {
    rule: "schema",
    expected: [
      { file: "schema/deployment.yaml", path: "spec.replicas", line: 7 },
      { file: "schema/deployment.yaml", path: "spec.template.spec.containers[0].imagePullPolcy", line: 19 },
      { file: "schema/deployment.yaml", path: "spec.pathh", line: 32 },
    ],
  },
  {
    rule: "unknown-kind",
    expected: [{ file: "unknown-kind/cilium-policy.yaml", path: "kind", line: 2, severity: "warning" }],
  },
  {
    rule: "flux-references",
    expected: [
      { file: "flux-references/apps.yaml", path: "spec.dependsOn[0].name", line: 8 },
      { file: "flux-references/apps.yaml", path: "spec.sourceRef", line: 12 },
    ],
  },
  { rule: "flux-cycles", expected: [{ file: "flux-cycles/cycle.yaml", path: "spec.dependsOn", line: 18 }] },
  {
    rule: "namespace-pod-security",
    expected: [{ file: "namespace-pod-security/team.yaml", path: "metadata.labels", line: 3 }],
  },
  {
    rule: "namespace-resource-quota",
    expected: [{ file: "namespace-resource-quota/team.yaml", path: "metadata.name", line: 4 }],
  },
  {
    rule: "namespace-limit-range",
    expected: [{ file: "namespace-limit-range/team.yaml", path: "metadata.name", line: 4 }],
  },
  {
    rule: "namespace-default-deny",
    expected: [{ file: "namespace-default-deny/team.yaml", path: "metadata.name", line: 4 }],
  },
  {
    rule: "container-resources",
    expected: [
      {
        file: "container-resources/worker.yaml",
        path: "spec.jobTemplate.spec.template.spec.containers[0].resources.limits",
        line: 20,
      },
    ],
  },
  {
    rule: "image-pinned",
    expected: [
      { file: "image-pinned/web.yaml", path: "spec.template.spec.initContainers[0].image", line: 17 },
      { file: "image-pinned/web.yaml", path: "spec.template.spec.containers[0].image", line: 23 },
    ],
  },
  {
    rule: "cluster-admin-binding",
    expected: [
      { file: "cluster-admin-binding/rbac.yaml", path: "subjects[0]", line: 10 },
      { file: "cluster-admin-binding/rbac.yaml", path: "subjects[1]", line: 13 },
    ],
  },
  { rule: "no-plaintext-secrets", expected: [{ file: "no-plaintext-secrets/secrets.yaml", path: "data", line: 7 }] },
  {
    rule: "helm-chart-version",
    expected: [
      { file: "helm-chart-version/releases.yaml", path: "spec.chart.spec.version", line: 20 },
      { file: "helm-chart-version/releases.yaml", path: "spec.chart.spec.chart", line: 35 },
    ],
  },
  { rule: "yaml-syntax", expected: [{ file: "yaml-syntax/broken.yaml", path: "", line: 8 }] },
];

describe("policy fixtures", () => {
  it.each(cases)("$rule: the failing fixture is reported with file, path and line", async ({ rule, expected }) => {
    const report = await validateFixture(rule);
    const found = report.findings
      .filter((finding) => finding.rule === rule)
      .map((finding) => ({ file: finding.file, path: finding.path, line: finding.line, severity: finding.severity }));
    expect(found).toEqual(expected.map((entry) => ({ severity: "error", ...entry })));
    for (const finding of report.findings.filter((f) => f.rule === rule)) {
      expect(finding.message.length).toBeGreaterThan(5);
      expect(finding.hint.length).toBeGreaterThan(5);
    }
  });
});

describe("namespaces only workloads name", () => {
  it("a workload in a namespace the tree never declares fails every namespace policy, at metadata.namespace", async () => {
    const report = await validateFixture("namespace-undeclared");
    const found = report.findings
      .filter((finding) => finding.rule.startsWith("namespace-"))
      .map((finding) => ({ rule: finding.rule, file: finding.file, path: finding.path, line: finding.line }))
      .sort((a, b) => a.rule.localeCompare(b.rule));
    const at = { file: "namespace-undeclared/web.yaml", path: "metadata.namespace", line: 6 };
    expect(found).toEqual([
      { rule: "namespace-default-deny", ...at },
      { rule: "namespace-limit-range", ...at },
      { rule: "namespace-pod-security", ...at },
      { rule: "namespace-resource-quota", ...at },
    ]);
    const deny = report.findings.find((finding) => finding.rule === "namespace-default-deny");
    expect(deny?.message).toBe("namespace shop has no default-deny NetworkPolicy for Ingress and Egress");
    expect(deny?.hint).toContain("declare Namespace shop");
  });
});

describe("secretGenerator", () => {
  it("reports plaintext literals and unencrypted files a kustomization turns into Secrets, not SOPS-encrypted ones", async () => {
    const report = await validateFixture("secret-generator");
    const found = report.findings
      .filter((finding) => finding.rule === "no-plaintext-secrets")
      .map((finding) => ({ path: finding.path, line: finding.line, message: finding.message }));
    expect(found).toEqual([
      {
        path: "secretGenerator[0].literals",
        line: 5,
        message: "secretGenerator db has 1 plaintext literal value(s)",
      },
      {
        path: "secretGenerator[1].envs[0]",
        line: 9,
        message: "secretGenerator app reads app.env, which is not SOPS-encrypted",
      },
      {
        path: "secretGenerator[1].files[0]",
        line: 12,
        message: "secretGenerator app reads token.txt, which is not SOPS-encrypted",
      },
    ]);
    expect(report.findings.every((finding) => finding.file === "secret-generator/kustomization.yaml")).toBe(true);
  });
});

describe("secretGenerator with SOPS files", () => {
  it("reports a plaintext value added to a SOPS dotenv file, but not what its rules leave in clear", async () => {
    const report = await validateFixture("secret-generator-sops");
    const found = report.findings.filter((finding) => finding.rule === "no-plaintext-secrets");
    expect(found.map((finding) => ({ path: finding.path, line: finding.line, message: finding.message }))).toEqual([
      {
        path: "secretGenerator[0].envs[0]",
        line: 6,
        message:
          "secretGenerator app reads app.sops.env, a SOPS file with plaintext value(s) its rules encrypt: DB_PASSWORD",
      },
    ]);
    expect(found[0]?.hint).toContain("pnpm exec kubeforge-sops edit secret-generator-sops/app.sops.env");
  });
});
