// A dependsOn cycle is reported once, on its first member, naming every object of the loop; chains, diamonds
// and references to objects the tree lacks are not cycles.
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../tree/load-documents.js";
import { fluxCyclesRule } from "./flux-cycles.js";
import type { RuleContext } from "./rule.js";

const documentsOf = (text: string) => parseManifestText(text, { file: "t.yaml", absolutePath: "/t.yaml" }).documents;

async function cycles(text: string) {
  const context = { documents: documentsOf(text), files: [] } as unknown as RuleContext;
  return fluxCyclesRule.check(context);
}

/** A Flux Kustomization in flux-system depending on `deps` (names, or `namespace/name`). */
function ks(name: string, ...deps: string[]): string {
  const entries = deps.map((dep) => {
    const [namespace, depName] = dep.includes("/") ? dep.split("/") : [undefined, dep];
    return namespace ? `{name: ${depName}, namespace: ${namespace}}` : `{name: ${depName}}`;
  });
  return `---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {dependsOn: [${entries.join(", ")}]}\n`;
}

describe("flux-cycles", () => {
  it.each([
    ["a chain", ks("a", "b") + ks("b", "c") + ks("c"), []],
    ["a diamond", ks("a", "b", "c") + ks("b", "d") + ks("c", "d") + ks("d"), []],
    ["a reference to an object the tree lacks", ks("a", "ghost") + ks("b", "a"), []],
    ["a self-dependency", ks("a", "a"), ["dependsOn cycle: flux-system/a → flux-system/a"]],
    ["two objects", ks("b", "a") + ks("a", "b"), ["dependsOn cycle: flux-system/a → flux-system/b → flux-system/a"]],
    [
      "a loop reached from outside it names only its members",
      ks("a", "b") + ks("b", "c") + ks("c", "d") + ks("d", "b"),
      ["dependsOn cycle: flux-system/b → flux-system/c → flux-system/d → flux-system/b"],
    ],
    [
      "a loop reached from two objects is reported once",
      ks("a", "c") + ks("b", "c") + ks("c", "d") + ks("d", "c"),
      ["dependsOn cycle: flux-system/c → flux-system/d → flux-system/c"],
    ],
    [
      "a self-dependency reached from another object is reported once",
      ks("a", "b") + ks("b", "b"),
      ["dependsOn cycle: flux-system/b → flux-system/b"],
    ],
    [
      "two separate loops",
      ks("a", "b") + ks("b", "a") + ks("x", "y") + ks("y", "x"),
      [
        "dependsOn cycle: flux-system/a → flux-system/b → flux-system/a",
        "dependsOn cycle: flux-system/x → flux-system/y → flux-system/x",
      ],
    ],
  ])("%s", async (_case, text, expected) => {
    expect((await cycles(text)).map((finding) => finding.message)).toEqual(expected);
  });

  it("a dependsOn in another namespace closes a loop only when it names that namespace", async () => {
    const other = ks("b", "flux-system/a").replace("namespace: flux-system}", "namespace: apps}");
    expect((await cycles(ks("a", "apps/b") + other)).map((finding) => finding.message)).toEqual([
      "dependsOn cycle: apps/b → flux-system/a → apps/b",
    ]);
    expect(await cycles(ks("a", "b") + other)).toEqual([]);
  });

  it("a HelmRelease and a Kustomization of the same name are different nodes", async () => {
    const release =
      "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a, namespace: flux-system}\nspec: {dependsOn: [{name: a}]}\n";
    expect((await cycles(ks("a") + release)).map((finding) => finding.message)).toEqual([
      "dependsOn cycle: flux-system/a → flux-system/a",
    ]);
    expect((await cycles(ks("a") + release))[0]?.object).toBe("HelmRelease flux-system/a");
  });

  it("the finding points at the first member's dependsOn and says how to break the loop", async () => {
    const [finding] = await cycles(ks("b", "a") + ks("a", "b"));
    expect(finding).toMatchObject({
      rule: "flux-cycles",
      severity: "error",
      file: "t.yaml",
      path: "spec.dependsOn",
      line: 10,
      object: "Kustomization flux-system/a",
      hint: "remove one dependsOn edge of the cycle",
    });
  });
});
