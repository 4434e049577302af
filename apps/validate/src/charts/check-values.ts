// Checks a HelmRelease's values against its chart: key by key against the defaults, the subcharts'
// defaults and what the templates read; then the merged values against values.schema.json (as Helm does).
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { distance } from "fastest-levenshtein";
import type { ChartFiles } from "./chart-files.js";
import { readTemplates, type TemplateReads } from "./template-refs.js";

export interface ValuesIssue {
  /** Dot path in the release's values, e.g. `csi.storageClass.enabled`. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

interface Known {
  readonly chart: ChartFiles;
  readonly reads: TemplateReads;
  /** Immediate children each read path implies: `a.b` → children of `a` include `b`. */
  readonly readChildren: ReadonlyMap<string, ReadonlySet<string>>;
}

const known = new WeakMap<ChartFiles, Known>();

function knownOf(chart: ChartFiles): Known {
  const cached = known.get(chart);
  if (cached) return cached;
  const reads = readTemplates(chart.templates);
  const readChildren = new Map<string, Set<string>>();
  for (const path of reads.read) {
    const keys = path.split(".");
    for (let index = 0; index < keys.length; index++) {
      const parent = keys.slice(0, index).join(".");
      const children = readChildren.get(parent) ?? new Set<string>();
      children.add(keys[index] as string);
      readChildren.set(parent, children);
    }
  }
  const result = { chart, reads, readChildren };
  known.set(chart, result);
  return result;
}

function isOpen(reads: TemplateReads, path: string): boolean {
  for (let at = path; at; at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "") {
    if (reads.open.has(at)) return true;
  }
  return false;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null || value === undefined) return "empty";
  return typeof value;
}

/** The existing key at this level closest to `key`: same kind of value first, then fewest edits. */
function closest(key: string, value: unknown, siblings: ReadonlyMap<string, unknown>): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const [name, sibling] of siblings) {
    const sameKind = kindOf(sibling) === kindOf(value) ? 0 : 1000;
    const score = sameKind + distance(key.toLowerCase(), name.toLowerCase());
    if (!best || score < best.score || (score === best.score && name < best.name)) best = { name, score };
  }
  return best?.name;
}

function walk(
  known: Known,
  values: Record<string, unknown>,
  defaults: Record<string, unknown> | undefined,
  prefix: string,
  issues: ValuesIssue[],
): void {
  const { chart, reads, readChildren } = known;
  for (const [key, value] of Object.entries(values)) {
    const path = join(prefix, key);
    if (!prefix && key === "global") continue;
    if (isOpen(reads, path)) continue;
    const hasDefault = defaults !== undefined && Object.hasOwn(defaults, key);
    const readBelow = readChildren.has(path);
    if (!hasDefault && !reads.read.has(path) && !readBelow) {
      const siblings = new Map<string, unknown>(Object.entries(defaults ?? {}));
      for (const child of readChildren.get(prefix) ?? []) if (!siblings.has(child)) siblings.set(child, undefined);
      const suggestion = closest(key, value, siblings);
      issues.push({
        path,
        message: `\`${path}\` is not a value of chart ${chart.name} ${chart.version}: not in its defaults and read by none of its templates, so Helm ignores it`,
        hint: suggestion
          ? `did you mean \`${join(prefix, suggestion)}\`? Fix the key in the generator (or remove it)`
          : "remove the key; see the chart's values.yaml for what it takes",
      });
      continue;
    }
    if (!isRecord(value)) continue;
    const defaultValue = hasDefault ? defaults?.[key] : undefined;
    if (isRecord(defaultValue) && Object.keys(defaultValue).length > 0) {
      walk(known, value, defaultValue, path, issues);
    } else if (readBelow) {
      walk(known, value, isRecord(defaultValue) ? defaultValue : {}, path, issues);
    }
    // Otherwise the default is an empty map, null or a scalar the templates read whole: anything goes below.
  }
}

/** Key-by-key check of `values` against `chart` and its subcharts. */
export function checkValueKeys(chart: ChartFiles, values: Record<string, unknown>): ValuesIssue[] {
  const issues: ValuesIssue[] = [];
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const subchart = chart.subcharts.find((candidate) => candidate.key === key);
    if (chart.missingSubcharts.includes(key)) continue;
    if (!subchart || !isRecord(value)) {
      own[key] = value;
      continue;
    }
    // A subchart's values: its own defaults and templates, plus what the parent sets or reads under its key.
    const { enabled: _enabled, global: _global, ...rest } = value;
    const parentIssues: ValuesIssue[] = [];
    walk(knownOf(chart), { [key]: rest }, chart.values, "", parentIssues);
    const parentFlagged = new Set(parentIssues.map((issue) => issue.path));
    for (const issue of checkValueKeys(subchart.chart, rest)) {
      const path = join(key, issue.path);
      if (!parentFlagged.has(path) && ![...parentFlagged].some((flagged) => path.startsWith(`${flagged}.`))) continue;
      issues.push({ ...issue, path, hint: issue.hint.replace(/`([^`]+)`\?/, (_m, p: string) => `\`${key}.${p}\`?`) });
    }
  }
  walk(knownOf(chart), own, chart.values, "", issues);
  return issues;
}

/** Helm's merge of a release's values over the chart's defaults (null deletes a default). */
export function mergeValues(defaults: unknown, values: unknown): unknown {
  if (!isRecord(defaults) || !isRecord(values)) return values === undefined ? defaults : values;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeValues(defaults[key], value);
  }
  return merged;
}

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => void;

const validators = new WeakMap<object, ValidateFunction | string>();

/** The merged values against the chart's values.schema.json, as `helm install` checks them. */
export function checkValuesSchema(chart: ChartFiles, values: Record<string, unknown>): ValuesIssue[] {
  if (!isRecord(chart.schema)) return [];
  let validate = validators.get(chart.schema);
  if (!validate) {
    try {
      const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
      addFormats(ajv);
      const { $schema: _ignored, ...schema } = chart.schema;
      validate = ajv.compile(schema);
    } catch (error) {
      validate = (error as Error).message;
    }
    validators.set(chart.schema, validate);
  }
  if (typeof validate === "string") return [];
  if (validate(mergeValues(chart.values, values))) return [];
  return (validate.errors ?? []).slice(0, 10).map((error) => {
    const path = error.instancePath.split("/").filter(Boolean).join(".");
    return {
      path,
      message: `\`${path || "(values)"}\` ${error.message ?? "is invalid"} (values.schema.json of chart ${chart.name} ${chart.version})`,
      hint: "change the value in the generator to what the chart's schema allows",
    };
  });
}

export function checkValues(chart: ChartFiles, values: Record<string, unknown>): ValuesIssue[] {
  return [...checkValueKeys(chart, values), ...checkValuesSchema(chart, values)];
}
