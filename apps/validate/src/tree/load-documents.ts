// Reads every YAML manifest under a directory into ManifestDocuments; syntax errors become findings.
// Values come from js-yaml (an order of magnitude faster than `yaml`'s document model); the `yaml` node tree,
// needed only for line numbers, is built lazily the first time a finding asks for one.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import jsYaml from "js-yaml";
import { type Document, LineCounter, parseAllDocuments } from "yaml";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "./manifest-document.js";

export interface LoadedDocuments {
  readonly documents: ManifestDocument[];
  readonly findings: Finding[];
  /** Number of YAML files read. */
  readonly files: number;
}

/** A file of the tree with its text, read once and shared by every rule. */
export interface TreeFile {
  /** Path shown in reports. */
  readonly path: string;
  readonly absolutePath: string;
  readonly content: string;
}

/** Lists `*.yaml` / `*.yml` files under `dir`, sorted, skipping dot-files and `node_modules`. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    const subdirectories: Promise<void>[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) subdirectories.push(walk(full));
      else if (/\.ya?ml$/.test(entry.name)) out.push(full);
    }
    await Promise.all(subdirectories);
  }
  await walk(dir);
  return out.sort();
}

/** Reads the YAML files under `dir` (texts only); `displayBase` is the directory report paths are relative to. */
export async function readYamlFiles(dir: string, options: { displayBase: string }): Promise<TreeFile[]> {
  const files = await listYamlFiles(dir);
  return Promise.all(
    files.map(async (absolutePath) => ({
      path: path.relative(options.displayBase, absolutePath) || absolutePath,
      absolutePath,
      content: await readFile(absolutePath, "utf8"),
    })),
  );
}

interface ParsedSource {
  readonly documents: Document.Parsed[];
  readonly lineCounter: LineCounter;
}

function parseSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  return { documents: Array.isArray(parsed) ? parsed : [], lineCounter };
}

/** A document whose `yaml` node tree (for line numbers) is parsed on first use, once per file. */
class LazyManifestDocument implements ManifestDocument {
  readonly #parse: () => ParsedSource;
  constructor(
    readonly file: string,
    readonly absolutePath: string,
    readonly index: number,
    readonly object: Record<string, unknown>,
    parse: () => ParsedSource,
  ) {
    this.#parse = parse;
  }
  get source(): Document.Parsed {
    // js-yaml and `yaml` number documents alike (checked over every manifest of the repository in tests).
    return this.#parse().documents[this.index] ?? (parseAllDocuments("{}") as Document.Parsed[])[0]!;
  }
  get lineCounter(): LineCounter {
    return this.#parse().lineCounter;
  }
}

function notMapping(options: { file: string }, index: number, line: number | undefined): Finding {
  return {
    rule: "yaml-syntax",
    severity: "error",
    file: options.file,
    path: "",
    line,
    message: `document ${index + 1} is not a mapping`,
    hint: "each YAML document of a manifest must be one Kubernetes object",
  };
}

/** The slow path for a file js-yaml rejects: `yaml` reports every error with its line, and keeps good documents. */
function parseWithErrors(text: string, options: { file: string; absolutePath: string }): LoadedDocuments {
  const source = parseSource(text);
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  source.documents.forEach((document, index) => {
    for (const error of document.errors) {
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
    if (document.errors.length > 0) return;
    const object = document.toJS({ maxAliasCount: 100 }) as unknown;
    if (object === null || object === undefined) return;
    if (typeof object !== "object" || Array.isArray(object)) {
      const range = document.contents?.range;
      findings.push(notMapping(options, index, range ? source.lineCounter.linePos(range[0]).line : undefined));
      return;
    }
    documents.push(
      new LazyManifestDocument(
        options.file,
        options.absolutePath,
        index,
        object as Record<string, unknown>,
        () => source,
      ),
    );
  });
  return { documents, findings, files: 1 };
}

/** Parses one file's text; `file` is the path shown in reports. */
export function parseManifestText(text: string, options: { file: string; absolutePath: string }): LoadedDocuments {
  // Anchors make aliases, which `yaml` expands with a limit (maxAliasCount) and js-yaml without one.
  if (/(?:^|[\s[{,])&[^\s]/m.test(text)) return parseWithErrors(text, options);
  const values: unknown[] = [];
  try {
    // CORE_SCHEMA is YAML 1.2 core, as `yaml` reads it: no timestamps, no merge keys, no !!binary.
    jsYaml.loadAll(text, (value) => values.push(value), { schema: jsYaml.CORE_SCHEMA, json: false });
  } catch {
    return parseWithErrors(text, options);
  }
  let source: ParsedSource | undefined;
  const parse = () => {
    source ??= parseSource(text);
    return source;
  };
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  values.forEach((object, index) => {
    if (object === null || object === undefined) return;
    if (typeof object !== "object" || Array.isArray(object)) {
      const range = parse().documents[index]?.contents?.range;
      findings.push(notMapping(options, index, range ? parse().lineCounter.linePos(range[0]).line : undefined));
      return;
    }
    documents.push(
      new LazyManifestDocument(options.file, options.absolutePath, index, object as Record<string, unknown>, parse),
    );
  });
  return { documents, findings, files: 1 };
}

/** Parses already-read files into documents. */
export function parseTreeFiles(files: readonly TreeFile[]): LoadedDocuments {
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const loaded = parseManifestText(file.content, { file: file.path, absolutePath: file.absolutePath });
    for (const document of loaded.documents) documents.push(document);
    for (const finding of loaded.findings) findings.push(finding);
  }
  return { documents, findings, files: files.length };
}

/** Reads every YAML file under `dir`; `displayBase` is the directory report paths are relative to. */
export async function loadDocuments(dir: string, options: { displayBase: string }): Promise<LoadedDocuments> {
  return parseTreeFiles(await readYamlFiles(dir, options));
}
