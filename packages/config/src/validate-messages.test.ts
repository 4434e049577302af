// Messages a user reads for mistakes a new user makes in cluster.ts (from a review of a fresh clone): each said
// too little before ("Invalid input", a Talos version as the example for Kubernetes, no "did you mean") or
// accepted a value Flux cannot use (a branch with a space).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusterYaml } from "./load.js";
import { validateCluster } from "./validate.js";

const fixtures = path.resolve(import.meta.dirname, "../test/fixtures");

/** The errors of the valid fixture with the field at `at` set to `value` (any type: mistakes are the point). */
function errorsWith(at: readonly string[], value: unknown): Array<[string, string]> {
  const data = parseClusterYaml(readFileSync(path.join(fixtures, "valid/cluster.yaml"), "utf8"));
  let node = data as Record<string, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[at.at(-1) as string] = value;
  const result = validateCluster(data);
  return result.ok ? [] : result.errors.map((issue) => [issue.path, issue.message]);
}

describe("messages for common mistakes", () => {
  it("a number for installDisk names the kinds it may be (was 'Invalid input')", () => {
    expect(errorsWith(["talos", "installDisk"], 42)).toEqual([
      ["talos.installDisk", "expected a string or a mapping, got number 42"],
    ]);
  });

  it("a mistake inside a disk selector is reported from the selector, with a did-you-mean", () => {
    expect(errorsWith(["talos", "installDisk"], { tpye: "nvme" })).toEqual([
      ["talos.installDisk", "unknown key tpye (did you mean type?)"],
    ]);
    expect(errorsWith(["talos", "installDisk"], "sda")).toEqual([
      ["talos.installDisk", "must be a device path such as /dev/sda"],
    ]);
  });

  it("an unknown key gets the known key it is probably a typo of, and none when nothing is close", () => {
    expect(errorsWith(["network", "nameserver"], ["1.1.1.1"])).toEqual([
      ["network", "unknown key nameserver (did you mean nameservers?)"],
    ]);
    expect(errorsWith(["network", "zzzzzzzz"], 1)).toEqual([["network", "unknown key zzzzzzzz"]]);
  });

  it("a value of the wrong kind for a patch names lists and mappings; an empty group name is one error", () => {
    expect(errorsWith(["talos", "patches"], [42])).toEqual([
      ["talos.patches[0]", "expected a list or a mapping, got number 42"],
    ]);
    expect(errorsWith(["oidc", "bindings"], [{ group: "", clusterRole: "view" }])).toEqual([
      ["oidc.bindings[0].group", "must not be empty"],
    ]);
  });

  it("a misspelt required key is one error, its did-you-mean, not also 'is required'", () => {
    const data = parseClusterYaml(readFileSync(path.join(fixtures, "valid/cluster.yaml"), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    data.enviroment = data.environment as unknown as Record<string, unknown>;
    delete data.environment;
    const network = data.network as Record<string, unknown>;
    network.gatway = network.gateway;
    delete network.gateway;
    const result = validateCluster(data);
    expect(result.ok ? [] : result.errors.map((issue) => [issue.path, issue.message])).toEqual([
      ["network", "unknown key gatway (did you mean gateway?)"],
      ["", "unknown key enviroment (did you mean environment?)"],
    ]);
  });

  it("a bad Kubernetes version gets a Kubernetes example, a bad Talos version a Talos one", () => {
    expect(errorsWith(["kubernetes", "version"], "1.35")).toEqual([
      ["kubernetes.version", "must be a full version with a leading v, e.g. v1.35.2"],
    ]);
    expect(errorsWith(["talos", "version"], "1.13")).toEqual([
      ["talos.version", "must be a full version with a leading v, e.g. v1.13.9"],
    ]);
  });
});

describe("flux.branch", () => {
  // Differential: accepted exactly when `git check-ref-format --branch` accepts the name (the real git).
  const names = [
    "main",
    "release/v2",
    "feature-x_1",
    "my branch",
    "a..b",
    "-x",
    "/x",
    "x/",
    "x.",
    "x.lock",
    "x.lock/y",
    ".hidden",
    "ok/.x",
    "a//b",
    "a@{b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "tab\there",
    "ümlaut",
  ];
  const gitAccepts = (name: string) =>
    spawnSync("git", ["check-ref-format", "--branch", name], { encoding: "utf8" }).status === 0;

  it("refuses @, which git's --branch reads as the current branch, not a name", () => {
    expect(errorsWith(["flux", "branch"], "@")).toHaveLength(1);
  });

  it.each(names)("%j is accepted exactly when git accepts it", (name) => {
    expect(execFileSync("git", ["--version"]).toString()).toMatch(/^git version/);
    const accepted = errorsWith(["flux", "branch"], name).length === 0;
    expect(accepted).toBe(gitAccepts(name));
  });
});

describe("loading a definition whose packages are not linked", () => {
  it("says to run pnpm install, naming the package (was 'throws while loading … fix the code of the definition')", async () => {
    const { definitionImportError } = await import("./load-errors.js");
    const cause = Object.assign(
      new Error('No "exports" main defined in /repo/node_modules/.pnpm/node_modules/@kubeforge/config/package.json'),
      { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" },
    );
    const error = definitionImportError(cause, "/repo/clusters/two/cluster.ts", "clusters/two/cluster.ts");
    expect(error.issues).toEqual([
      {
        path: "",
        message: expect.stringMatching(
          /^cannot be loaded: @kubeforge\/config is not linked for this cluster \(No "exports"/,
        ),
        hint: expect.stringContaining("run `pnpm install` at the repository root"),
      },
    ]);
  });
});
