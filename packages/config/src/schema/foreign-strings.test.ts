// Model strings that are written into another language (Corefile, API-server flags, Grafana's JMESPath)
// are refused when they carry that language's syntax; the injections below were proven before the fix.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../errors.js";
import { parseClusterYaml } from "../load.js";
import { validateCluster } from "../validate.js";

const base = parseClusterYaml(
  readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/valid/cluster.yaml"), "utf8"),
) as Record<string, Record<string, unknown>>;

function errorsOf(patch: (input: Record<string, Record<string, unknown>>) => void): string[] {
  const input = structuredClone(base);
  patch(input);
  const result = validateCluster(input);
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
}

describe("strings that reach another language", () => {
  it("refuses a clusterDomain that would inject a Corefile block", () => {
    const injected = "cluster.local {\n  }\n.:53 {\n  forward . 6.6.6.6\n  }\n  x";
    for (const domain of [injected, "cluster local", "Cluster.Local", "cluster.local."]) {
      const errors = errorsOf((input) => {
        input.network = { ...input.network, clusterDomain: domain };
      });
      expect(errors.join("\n"), JSON.stringify(domain)).toContain("network.clusterDomain: must be a DNS domain");
    }
    expect(errorsOf((input) => (input.network = { ...input.network, clusterDomain: "home.arpa" }))).toEqual([]);
  });

  it("refuses claim names that would inject into Grafana's JMESPath or the API server's flags", () => {
    for (const claim of ["groups) || 'Admin' || (groups", "groups,email", "my claim", 'a"b', "[0]", ""]) {
      const errors = errorsOf((input) => {
        input.oidc = { ...input.oidc, groupsClaim: claim, usernameClaim: claim };
      });
      expect(errors.join("\n"), JSON.stringify(claim)).toContain("oidc.groupsClaim: must be a claim name");
      expect(errors.join("\n"), JSON.stringify(claim)).toContain("oidc.usernameClaim: must be a claim name");
    }
    expect(
      errorsOf((input) => {
        input.oidc = {
          ...input.oidc,
          groupsClaim: "urn:zitadel:iam:org:project:roles",
          usernameClaim: "preferred_username",
        };
      }),
    ).toEqual([]);
  });

  it("refuses prefixes with spaces, quotes or commas and accepts '-' (no prefix)", () => {
    expect(errorsOf((input) => (input.oidc = { ...input.oidc, usernamePrefix: "oidc: ,x" })).join("\n")).toContain(
      "oidc.usernamePrefix: must use only",
    );
    expect(errorsOf((input) => (input.oidc = { ...input.oidc, groupsPrefix: "-", usernamePrefix: "" }))).toEqual([]);
  });

  it("refuses group names that would close Grafana's JMESPath string literal", () => {
    const errors = errorsOf((input) => {
      input.oidc = {
        ...input.oidc,
        bindings: [{ group: "x') || true || contains(groups, 'y", clusterRole: "view" }],
      };
      input.monitoring = { ...(input.monitoring ?? {}), grafanaAdminGroup: "admins'\n" };
    });
    expect(errors.join("\n")).toContain("oidc.bindings[0].group: must not contain quotes");
    expect(errors.join("\n")).toContain("monitoring.grafanaAdminGroup: must not contain quotes");
  });
});
