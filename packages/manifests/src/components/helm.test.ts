import { App } from "cdk8s";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HelmSourcesChart } from "./helm.js";

describe("HelmSourcesChart", () => {
  afterEach(() => vi.restoreAllMocks());

  it("orders sources the same on every machine, whatever its locale", () => {
    // A Czech collation sorts "ch" after "h": simulate a build machine with LANG=cs_CZ.UTF-8.
    const czech = new Intl.Collator("cs");
    vi.spyOn(String.prototype, "localeCompare").mockImplementation(function (this: string, other: string) {
      return czech.compare(this, other);
    });
    const sources = ["h-repo", "ch-repo", "a-repo", "ch-repo"].map((name) => ({
      name,
      url: `https://${name}.example`,
    }));
    const names = new HelmSourcesChart(new App(), "sources", sources)
      .toJson()
      .map((object: { metadata: { name: string } }) => object.metadata.name);
    expect(names).toEqual(["a-repo", "ch-repo", "h-repo"]);
  });
});
