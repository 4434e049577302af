import { describe, expect, it } from "vitest";
import { validateFixture } from "../test/fixtures.js";
import { parseValidateConfig } from "./config-file.js";
import { parseIgnoreAnnotation } from "./exceptions.js";

describe("exceptions", () => {
  it("accepts annotated and configured findings with their reason, and reports bad or unused exceptions", async () => {
    const report = await validateFixture("exceptions");
    expect(report.suppressed.map((f) => [f.rule, f.file, f.object, f.reason])).toEqual([
      [
        "unknown-kind",
        "exceptions/policy.yaml",
        "CiliumNetworkPolicy apps/allow-dns",
        "Cilium CRDs are installed by the Cilium chart, not committed",
      ],
      [
        "image-pinned",
        "exceptions/web.yaml",
        "Deployment apps/web",
        "vendor publishes only a rolling tag; digest pinned by Renovate later",
      ],
    ]);
    // The fixture's namespace is not declared (namespace-* findings); those rules are tested on their own fixtures.
    const findings = report.findings.filter((f) => !f.rule.startsWith("namespace-"));
    expect(findings.map((f) => [f.rule, f.severity, f.file, f.path])).toEqual([
      ["unused-exception", "warning", "exceptions/validate.yaml", "exceptions[1]"],
      ["invalid-exception", "error", "exceptions/web.yaml", "metadata.annotations.kubeforge.dev/validate-ignore"],
      ["container-resources", "error", "exceptions/web.yaml", "spec.template.spec.containers[0].resources.limits"],
      ["container-resources", "error", "exceptions/web.yaml", "spec.template.spec.containers[0].resources.requests"],
    ]);
  });

  it("parses several rules in one annotation", () => {
    expect(parseIgnoreAnnotation("image-pinned: vendor tag; container-resources: sized by VPA\nschema")).toEqual([
      { rule: "image-pinned", reason: "vendor tag" },
      { rule: "container-resources", reason: "sized by VPA" },
      { rule: "schema", reason: "" },
    ]);
  });

  it("requires a reason in validate.yaml", () => {
    expect(() =>
      parseValidateConfig({ exceptions: [{ rule: "image-pinned", reason: " " }] }, { file: "/x/validate.yaml" }),
    ).toThrow(/exceptions\.0\.reason: a reason is required/);
    expect(() => parseValidateConfig({ exception: [] }, { file: "/x/validate.yaml" })).toThrow(
      /validate\.yaml is invalid/,
    );
  });
});
