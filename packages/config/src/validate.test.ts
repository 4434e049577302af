import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, formatIssue } from "./errors.js";
import { parseClusterYaml } from "./load.js";
import { validateCluster } from "./validate.js";

const fixtures = path.resolve(import.meta.dirname, "../test/fixtures");
const readFixture = (file: string) => readFileSync(path.join(fixtures, file), "utf8");

/** Every issue of a fixture as one formatted line each; parse errors included. */
function messagesOf(text: string): string[] {
  try {
    const result = validateCluster(parseClusterYaml(text));
    return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => formatIssue(issue));
    throw error;
  }
}

describe("validateCluster", () => {
  it("accepts the valid fixture and fills defaults", () => {
    const result = validateCluster(parseClusterYaml(readFixture("valid/cluster.yaml")));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.cluster.network.podCidr).toBe("10.244.0.0/16");
    expect(result.cluster.api.provider).toBe("talos");
    expect(result.cluster.nodes.every((node) => node.controlPlane && node.worker)).toBe(true);
    expect(result.cluster.namespaces[0]?.podSecurity).toBe("restricted");
    expect(result.cluster.namespaces[0]?.quota.pods).toBe(50);
    expect(result.warnings).toEqual([]);
  });

  const invalid = readdirSync(path.join(fixtures, "invalid")).filter((file) => file.endsWith(".yaml"));
  it("has a fixture per invalid case", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(invalid)("rejects invalid/%s with its expected message", (file) => {
    const text = readFixture(`invalid/${file}`);
    const expected = text
      .split("\n")
      .filter((line) => line.startsWith("# expect: "))
      .map((line) => line.slice("# expect: ".length));
    expect(expected.length, `${file} needs a '# expect: …' line`).toBeGreaterThan(0);
    expect(messagesOf(text)).toEqual(expected);
  });

  it("warns, without failing, about a weaker Pod Security level with no reason", () => {
    const data = parseClusterYaml(readFixture("valid/cluster.yaml")) as { namespaces: object[] };
    data.namespaces = [{ name: "web", podSecurity: "privileged" }];
    const result = validateCluster(data);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((issue) => formatIssue(issue))).toEqual([
      "namespaces[0].podSecurityReason: web runs at Pod Security level privileged without a reason — say why in podSecurityReason",
    ]);
  });

  it("warns about a declared PriorityClass nothing uses (neither an app nor the global default)", () => {
    const data = parseClusterYaml(readFixture("valid/cluster.yaml")) as { priorityClasses: object[]; apps?: object[] };
    data.priorityClasses = [
      { name: "lab-default", value: 1000, globalDefault: true },
      { name: "lab-critical", value: 1_000_000 },
    ];
    const result = validateCluster(data);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((issue) => formatIssue(issue))).toEqual([
      "priorityClasses[1]: lab-critical is used by nothing: no app names it and it is not the global default — set apps[].priorityClassName to it, or remove it (platform components use kubeforge-storage and kubeforge-platform)",
    ]);
  });

  it("reports every problem at once, not only the first", () => {
    const data = parseClusterYaml(readFixture("valid/cluster.yaml")) as {
      api: { vip: string };
      nodes: Array<{ address: string }>;
    };
    data.api.vip = "10.0.0.11";
    data.nodes[2]!.address = "10.9.9.9";
    const result = validateCluster(data);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((issue) => issue.path)).toEqual(["nodes[2].address", "api.vip"]);
  });
});
