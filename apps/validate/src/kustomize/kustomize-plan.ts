// Decides, per Flux Kustomization, what to build: its spec.path resolved inside the Git source root, whether
// a kustomization file is there, and whether the build would fetch anything. Pure apart from reading files.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Finding } from "../finding.js";
import { isFluxKustomization, spec } from "../rules/flux-objects.js";
import { findingAt } from "../rules/rule.js";
import { parseManifestText } from "../tree/load-documents.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findRemoteResources, KUSTOMIZATION_FILES } from "./remote-resources.js";

const RULE = "flux-kustomize-build";

export interface PlannedPath {
  readonly document: ManifestDocument;
  readonly fluxPath: string;
  readonly dir: string;
  /** Findings that stop the build of this path (missing, outside the source, remote resources). */
  readonly findings: Finding[];
  /** True when kustomize should build `dir`. */
  readonly build: boolean;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function realpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function remoteFindings(dir: string, displayBase: string): Finding[] {
  return findRemoteResources(dir).map((remote) => {
    const file = path.relative(displayBase, remote.file) || remote.file;
    const document = parseManifestText(readFileSync(remote.file, "utf8"), { file, absolutePath: remote.file })
      .documents[0];
    const input = {
      rule: RULE,
      path: remote.path,
      message: `remote resource ${remote.resource}: validate stays offline and does not fetch it, and Flux would build whatever it serves that day`,
      hint: "vendor it: download the file once, review it, commit it beside the kustomization and list the local path",
    };
    return document
      ? findingAt(document, input)
      : { ...input, severity: "error" as const, file, path: remote.path.join(".") };
  });
}

/** Plans the build of every Flux Kustomization path of the tree (each directory once). */
export function planKustomizeBuilds(
  documents: readonly ManifestDocument[],
  options: { sourceRoot: string; displayBase: string },
): PlannedPath[] {
  const root = path.resolve(options.sourceRoot);
  const plans: PlannedPath[] = [];
  const remoteByDir = new Map<string, Finding[]>();
  for (const document of documents.filter(isFluxKustomization)) {
    const fluxPath = typeof spec(document).path === "string" ? String(spec(document).path) : "./";
    // Flux joins spec.path under the source root (a leading "/" is the root itself, never the filesystem's).
    const dir = path.resolve(root, fluxPath.replace(/^\/+/, ""));
    const findings: Finding[] = [];
    if (!isInside(root, dir) || (existsSync(dir) && !isInside(realpath(root), realpath(dir)))) {
      findings.push(
        findingAt(document, {
          rule: RULE,
          path: ["spec", "path"],
          message: `path ${fluxPath} leaves the Git source root (${path.relative(options.displayBase, root) || "."})`,
          hint: "keep spec.path inside the repository, e.g. ./clusters/<name>/flux/apps; Flux never reads outside its source",
        }),
      );
      plans.push({ document, fluxPath, dir, findings, build: false });
      continue;
    }
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      findings.push(
        findingAt(document, {
          rule: RULE,
          path: ["spec", "path"],
          message: `path ${fluxPath} does not exist in the source (looked in ${path.relative(options.displayBase, dir) || "."})`,
          hint: "fix spec.path; it is relative to the root of the Git source",
        }),
      );
      plans.push({ document, fluxPath, dir, findings, build: false });
      continue;
    }
    // Without a kustomization file Flux generates one from every manifest in the folder: nothing to build.
    if (!KUSTOMIZATION_FILES.some((name) => existsSync(path.join(dir, name)))) {
      plans.push({ document, fluxPath, dir, findings, build: false });
      continue;
    }
    // Each kustomization file is reported once, however many Flux Kustomizations build its folder.
    const seen = remoteByDir.has(dir);
    const remote = remoteByDir.get(dir) ?? remoteFindings(dir, options.displayBase);
    remoteByDir.set(dir, remote);
    if (!seen) findings.push(...remote);
    plans.push({ document, fluxPath, dir, findings, build: remote.length === 0 });
  }
  return plans;
}
