import { describe, expect, it } from "vitest";
import { checkKubernetesVersion, checkTalosVersion, configTalosMinors, installerPath } from "./check.js";
import { RELEASES, releaseTableSchema } from "./table.js";
import { compareVersions, mustParseVersion } from "./version.js";

describe("release table", () => {
  it("is valid against its own schema and lists each line once, oldest first", () => {
    expect(releaseTableSchema.parse(RELEASES)).toEqual(RELEASES);
    const lines = RELEASES.talos.map((row) => row.version);
    expect([...lines].sort((a, b) => compareVersions(mustParseVersion(a), mustParseVersion(b)))).toEqual(lines);
    expect(configTalosMinors()).toEqual(["1.12", "1.13", "1.14"]);
  });

  it("accepts every known patch up to the newest and refuses the next one", () => {
    expect(checkTalosVersion("v1.13.0").errors).toEqual([]);
    expect(checkTalosVersion("v1.13.9").errors).toEqual([]);
    const [issue] = checkTalosVersion("v1.13.10").errors;
    expect(issue?.message).toContain("newest known 1.13 patch is v1.13.9");
    expect(checkTalosVersion("v1.11.6").errors[0]?.message).toContain("not supported");
  });

  it("accepts a listed pre-release with a warning, names the path it was given", () => {
    const result = checkTalosVersion("v1.14.0-rc.1", { path: "--talos-version" });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        path: "--talos-version",
        message: "Talos v1.14.0-rc.1 is a pre-release",
        hint: "use v1.14.0 for a cluster you depend on",
      },
    ]);
  });

  it("gates Kubernetes by the Talos line's range and the newest known patch", () => {
    expect(checkKubernetesVersion("v1.32.0", "v1.14.0").errors).toEqual([]);
    expect(checkKubernetesVersion("v1.37.1", "v1.14.0").errors).toEqual([]);
    expect(checkKubernetesVersion("v1.31.14", "v1.14.0").errors[0]?.message).toContain("1.32–1.37");
    expect(checkKubernetesVersion("v1.38.0", "v1.14.0").errors).toHaveLength(1);
    expect(checkKubernetesVersion("v1.36.5", "v1.13.9").errors[0]?.hint).toContain("use v1.36.4");
    expect(checkKubernetesVersion("v1.35.0-rc.0", "v1.13.9").errors).toHaveLength(1);
  });

  it("derives the installer path per line", () => {
    expect(installerPath("v1.13.9")).toBe("installer");
    expect(installerPath("v1.14.0")).toBe("metal-installer");
    expect(installerPath("v1.15.0")).toBe("metal-installer");
  });

  it("orders pre-releases numerically", () => {
    expect(compareVersions(mustParseVersion("v1.14.0-rc.2"), mustParseVersion("v1.14.0-rc.10"))).toBeLessThan(0);
    expect(compareVersions(mustParseVersion("v1.14.0-rc.1"), mustParseVersion("v1.14.0"))).toBeLessThan(0);
  });
});
