import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RuleContext } from "../rules/rule.js";
import { parseManifestText } from "../tree/load-documents.js";
import { releaseSecretsRule } from "./release-secrets.js";

const release = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "kube-prometheus-stack", namespace: "monitoring" },
  spec: { values: { grafana: { envFromSecrets: [{ name: "grafana-oidc", optional: true }] } } },
};
const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "grafana-oidc", namespace: "monitoring" } };

function run(objects: object[], where: { clusterDir?: string; displayBase?: string } = {}) {
  const { documents } = parseManifestText(objects.map((object) => stringify(object)).join("---\n"), {
    file: "flux/infrastructure/monitoring.yaml",
    absolutePath: "/x/flux/infrastructure/monitoring.yaml",
  });
  return releaseSecretsRule.check({ documents, ...where } as unknown as RuleContext);
}

describe("helm-release-secrets", () => {
  it("warns when Grafana's OIDC client secret is not in the tree, naming the file to add", () => {
    expect(run([release])).toEqual([
      expect.objectContaining({
        rule: "helm-release-secrets",
        severity: "warning",
        object: "HelmRelease monitoring/kube-prometheus-stack",
        path: "spec.values.grafana.envFromSecrets[0]",
        message: expect.stringContaining("Secret monitoring/grafana-oidc is not in the tree"),
        hint: expect.stringContaining("clusters/<name>/secrets/grafana-oidc.sops.yaml"),
      }),
    ]);
  });

  it("names the validated cluster's own secrets folder and a command that runs as printed", async () => {
    const [finding] = await run([release], { clusterDir: "/repo/clusters/mine", displayBase: "/repo" });
    expect(finding?.hint).toContain("add clusters/mine/secrets/grafana-oidc.sops.yaml");
    expect(finding?.hint).toContain(
      "pnpm exec kubeforge secrets encrypt -i clusters/mine/secrets/grafana-oidc.sops.yaml",
    );
    expect(finding?.hint).not.toContain("<name>");
  });

  it("is quiet once the Secret is there", () => {
    expect(run([release, secret])).toEqual([]);
  });
});
