import { namespaceSchema } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { budgetPods, fitQuota, parseCpu, parseMemory } from "./quota.js";

const { quota, limits } = namespaceSchema.parse({ name: "x" });

describe("quota budget", () => {
  it.each([
    ["250m", 250],
    ["2", 2000],
    ["0.5", 500],
    ["1.0001", 1001],
  ])("reads CPU %s as %d millicores", (value, millicores) => expect(parseCpu(value)).toBe(millicores));

  it.each([
    ["512Mi", 512],
    ["4Gi", 4096],
    ["1024Ki", 1],
    ["10G", 9537],
    ["1e9", 954],
  ])("reads memory %s as %d MiB", (value, mebibytes) => expect(parseMemory(value)).toBe(mebibytes));

  it("refuses quantities it cannot add up, naming them", () => {
    expect(() => parseMemory("8GB")).toThrow(/8GB is not a Kubernetes quantity/);
    expect(() => parseCpu("two")).toThrow(/two/);
  });

  it("fills unsized containers like the API server and LimitRanger do, and keeps room for one more pod", () => {
    const need = budgetPods(
      [
        // requests only: limits come from the LimitRange (500m, 512Mi)
        { name: "a", count: 3, containers: [{ requests: { cpu: "200m", memory: "256Mi" } }] },
        // limits only: requests default to the limits
        { name: "b", count: 1, containers: [{ limits: { cpu: "1", memory: "1Gi" } }, {}] },
      ],
      limits,
    );
    // a: 3 × (200m, 256Mi | 500m, 512Mi); b: (1 + 100m, 1Gi + 128Mi | 1 + 500m, 1Gi + 512Mi); + one b
    expect(need).toEqual({
      requestsCpu: 600 + 1100 + 1100,
      requestsMemory: 768 + 1152 + 1152,
      limitsCpu: 1500 + 1500 + 1500,
      limitsMemory: 1536 + 1536 + 1536,
    });
  });

  it("raises a quota to what the pods and volumes need, rounded up, and never lowers it", () => {
    const fitted = fitQuota(quota, {
      pods: [
        {
          name: "big",
          count: 2,
          containers: [{ requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "3", memory: "5000Mi" } }],
        },
      ],
      volumes: ["80Gi", "30G"],
      defaults: limits,
    });
    expect(fitted).toEqual({
      ...quota,
      requestsCpu: "3",
      requestsMemory: "6Gi",
      limitsCpu: "9",
      limitsMemory: "15104Mi",
      requestsStorage: "108Gi",
    });
    expect(fitQuota(quota, { pods: [], defaults: limits })).toEqual(quota);
  });
});
