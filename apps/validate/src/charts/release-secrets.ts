// Secrets a HelmRelease's values name (Grafana's envFromSecrets, e.g. its OIDC client secret) exist in
// the tree. An optional one that is missing lets the pod start with the feature broken (no sign-in).
import path from "node:path";
import type { Finding } from "../finding.js";
import { isHelmRelease, spec } from "../rules/flux-objects.js";
import { findingAt, isRecord, type Rule } from "../rules/rule.js";
import { objectRef } from "../tree/manifest-document.js";

export const RELEASE_SECRETS_RULE = "helm-release-secrets";

/** `[path in values, Secret name]` of every envFromSecrets entry, top level and under subchart keys. */
function secretRefs(values: Record<string, unknown>): [(string | number)[], string][] {
  const refs: [(string | number)[], string][] = [];
  const visit = (node: Record<string, unknown>, path: string[]) => {
    const list = node.envFromSecrets;
    if (Array.isArray(list)) {
      list.forEach((entry, index) => {
        if (isRecord(entry) && typeof entry.name === "string")
          refs.push([[...path, "envFromSecrets", index], entry.name]);
      });
    }
    if (path.length === 0) for (const [key, child] of Object.entries(node)) if (isRecord(child)) visit(child, [key]);
  };
  visit(values, []);
  return refs;
}

export const releaseSecretsRule: Rule = {
  id: RELEASE_SECRETS_RULE,
  description:
    "Secrets that HelmRelease values name (envFromSecrets) are in the tree, e.g. Grafana's OIDC client secret.",
  check({ documents, clusterDir, displayBase }) {
    // the cluster's own secrets/ folder as the report shows paths, so the hint's command runs as printed
    const secretsDir = clusterDir
      ? path.relative(displayBase, path.join(clusterDir, "secrets")) || "secrets"
      : "clusters/<name>/secrets";
    const secrets = new Set(
      documents
        .filter((document) => document.object.kind === "Secret")
        .map((document) => `${objectRef(document).namespace ?? ""}/${objectRef(document).name}`),
    );
    const findings: Finding[] = [];
    for (const release of documents.filter(isHelmRelease)) {
      const values = spec(release).values;
      if (!isRecord(values)) continue;
      const namespace = String(spec(release).targetNamespace ?? objectRef(release).namespace ?? "");
      for (const [path, name] of secretRefs(values)) {
        if (secrets.has(`${namespace}/${name}`)) continue;
        findings.push(
          findingAt(release, {
            rule: RELEASE_SECRETS_RULE,
            severity: "warning",
            path: ["spec", "values", ...path],
            message: `Secret ${namespace}/${name} is not in the tree: the pod starts without it${name.includes("oidc") ? " and nobody can sign in" : ""}`,
            hint: `add ${secretsDir}/${name}.sops.yaml (a Secret ${name} in ${namespace}; for Grafana's OIDC client the key GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET), then encrypt it: pnpm exec kubeforge secrets encrypt -i ${secretsDir}/${name}.sops.yaml`,
          }),
        );
      }
    }
    return findings;
  },
};
