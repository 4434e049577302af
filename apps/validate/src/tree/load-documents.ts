// Reads every YAML manifest under a directory into ManifestDocuments; syntax errors become findings.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "./manifest-document.js";

export interface LoadedDocuments {
  readonly documents: ManifestDocument[];
  readonly findings: Finding[];
  /** Number of YAML files read. */
  readonly files: number;
}

/** Lists `*.yaml` / `*.yml` files under `dir`, sorted, skipping dot-files and `node_modules`. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(full);
    }
  }
  await walk(dir);
  return out.sort();
}

/** Parses one file's text; `file` is the path shown in reports. */
export function parseManifestText(text: string, options: { file: string; absolutePath: string }): LoadedDocuments {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const all = Array.isArray(parsed) ? parsed : [];
  all.forEach((source, index) => {
    for (const error of source.errors) {
      findings.push({
        rule: "yaml-syntax",
        severity: "error",
        file: options.file,
        path: "",
        line: error.linePos?.[0].line,
        message: error.message.split("\n")[0] ?? error.message,
        hint: "fix the YAML syntax; Flux cannot apply a file it cannot parse",
      });
    }
    if (source.errors.length > 0) return;
    const object = source.toJS({ maxAliasCount: 100 }) as unknown;
    if (object === null || object === undefined) return;
    if (typeof object !== "object" || Array.isArray(object)) {
      findings.push({
        rule: "yaml-syntax",
        severity: "error",
        file: options.file,
        path: "",
        line: source.contents?.range ? lineCounter.linePos(source.contents.range[0]).line : undefined,
        message: `document ${index + 1} is not a mapping`,
        hint: "each YAML document of a manifest must be one Kubernetes object",
      });
      return;
    }
    documents.push({
      file: options.file,
      absolutePath: options.absolutePath,
      index,
      object: object as Record<string, unknown>,
      source,
      lineCounter,
    });
  });
  return { documents, findings, files: 1 };
}

/** Reads every YAML file under `dir`; `displayBase` is the directory report paths are relative to. */
export async function loadDocuments(dir: string, options: { displayBase: string }): Promise<LoadedDocuments> {
  const files = await listYamlFiles(dir);
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  for (const absolutePath of files) {
    const text = await readFile(absolutePath, "utf8");
    const file = path.relative(options.displayBase, absolutePath) || absolutePath;
    const loaded = parseManifestText(text, { file, absolutePath });
    documents.push(...loaded.documents);
    findings.push(...loaded.findings);
  }
  return { documents, findings, files: files.length };
}
