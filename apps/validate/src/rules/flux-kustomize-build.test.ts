// The build rule with a stand-in kustomize: what it builds (never a kustomization that would fetch), what a
// failed build reports, and that a problem shared by several Flux Kustomizations is reported once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KustomizeBuild } from "../kustomize/kustomize-build.js";
import { parseManifestText } from "../tree/load-documents.js";
import { fluxKustomizeBuildRule } from "./flux-kustomize-build.js";
import type { RuleContext } from "./rule.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-build-rule-"));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write("base/kustomization.yaml", "resources:\n  - https://example.com/app.yaml\n");
  write("a/kustomization.yaml", "resources: [../base]\n");
  write("b/kustomization.yaml", "resources: [../base]\n");
  write("ok/kustomization.yaml", "resources: [cm.yaml]\n");
  write("broken/kustomization.yaml", "resources: [nope.yaml]\n");
  write("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const kustomization = (name: string, fluxPath: string) =>
  `---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {path: ${fluxPath}, sourceRef: {kind: GitRepository, name: g}}\n`;

/** Runs the rule on Flux Kustomizations of the given paths; returns the findings and the directories built. */
async function check(paths: string[], { withKustomize = true } = {}) {
  const built: string[] = [];
  const kustomize: KustomizeBuild = async (dir) => {
    built.push(path.relative(root, dir));
    return path.basename(dir) === "broken"
      ? { ok: false, message: "accumulating resources: nope.yaml" }
      : { ok: true, output: "" };
  };
  const text = paths.map((fluxPath, index) => kustomization(`k${index}`, fluxPath)).join("");
  const documents = parseManifestText(text, {
    file: "flux.yaml",
    absolutePath: path.join(root, "flux.yaml"),
  }).documents;
  const context = {
    documents,
    files: [],
    sourceRoot: root,
    displayBase: root,
    ...(withKustomize ? { kustomize } : {}),
  } as unknown as RuleContext;
  const findings = await fluxKustomizeBuildRule.check(context);
  return {
    built,
    findings: findings.map((finding) => `${finding.file}:${finding.line} ${finding.path}: ${finding.message}`),
  };
}

describe("flux-kustomize-build", () => {
  it("builds each kustomization that fetches nothing; a folder without one is not built", async () => {
    expect(await check(["./ok", "./plain"])).toEqual({ built: ["ok"], findings: [] });
  });

  it("a failed build names the Flux path, kustomize's message and the command to run", async () => {
    const { built, findings } = await check(["./ok", "./broken"]);
    expect(built).toEqual(["ok", "broken"]);
    expect(findings).toEqual([
      "flux.yaml:10 spec.path: kustomize build of ./broken fails: accumulating resources: nope.yaml",
    ]);
    const documents = parseManifestText(kustomization("k", "./broken"), {
      file: "f.yaml",
      absolutePath: "/f.yaml",
    }).documents;
    const context = {
      documents,
      files: [],
      sourceRoot: root,
      displayBase: root,
      kustomize: async () => ({ ok: false, message: "x" }),
    };
    const [finding] = await fluxKustomizeBuildRule.check(context as unknown as RuleContext);
    expect(finding).toMatchObject({
      rule: "flux-kustomize-build",
      severity: "error",
      object: "Kustomization flux-system/k",
    });
    expect(finding?.hint).toBe(
      `run \`kubectl kustomize ${path.relative(process.cwd(), path.join(root, "broken"))}\` and fix the kustomization`,
    );
  });

  it("never builds a kustomization that would fetch, and reports a shared remote base once", async () => {
    const { built, findings } = await check(["./a", "./b", "./ok"]);
    expect(built).toEqual(["ok"]);
    expect(findings).toEqual([
      "base/kustomization.yaml:2 resources[0]: remote resource https://example.com/app.yaml: validate stays offline and does not fetch it, and Flux would build whatever it serves that day",
    ]);
  });

  it("without kustomize (switched off) only the planned checks run", async () => {
    expect(await check(["./broken", "./nope"], { withKustomize: false })).toEqual({
      built: [],
      findings: ["flux.yaml:10 spec.path: path ./nope does not exist in the source (looked in nope)"],
    });
  });

  it("each Flux Kustomization with a missing path is reported, even two in one file", async () => {
    expect((await check(["./nope", "./nope"])).findings).toEqual([
      "flux.yaml:5 spec.path: path ./nope does not exist in the source (looked in nope)",
      "flux.yaml:10 spec.path: path ./nope does not exist in the source (looked in nope)",
    ]);
  });
});
