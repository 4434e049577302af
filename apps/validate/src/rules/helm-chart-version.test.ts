import { describe, expect, it } from "vitest";
import { checkChartVersion } from "./helm-chart-version.js";

describe("checkChartVersion", () => {
  it.each(["1.16.5", "v0.93.0", "1.0.0-rc.1"])("accepts the exact version %s", (version) => {
    expect(checkChartVersion(version)).toBeUndefined();
  });
  it.each([">=1.16.0", "1.x", "*", "^1.2.3", "~1.2", "1.16"])("rejects the range %s", (version) => {
    expect(checkChartVersion(version)).toMatch(/is a range/);
  });
  it("rejects a missing version", () => {
    expect(checkChartVersion(undefined)).toMatch(/sets no chart version/);
  });
});
