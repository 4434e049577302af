// Checks a HelmRelease's values against its chart: key by key against the defaults, the subcharts'
// defaults and what the templates read; then the merged values against values.schema.json (as Helm does).
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { distance } from "fastest-levenshtein";
import type { ChartFiles } from "./chart-files.js";
import { KEY_SEPARATOR, readTemplates, type TemplateReads } from "./template-refs.js";

export interface ValuesIssue {
  /** Dot path in the release's values, e.g. `csi.storageClass.enabled`. */
  readonly path: string;
  /** The same path as keys (a key may hold a dot: `grafana.ini`, or `storageClass.enabled` written as in `--set`). */
  readonly keys: readonly string[];
  readonly message: string;
  readonly hint: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A path in a chart's values as TemplateReads writes it. */
function join(prefix: string, key: string): string {
  return prefix ? `${prefix}${KEY_SEPARATOR}${key}` : key;
}

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
    const keys = path.split(KEY_SEPARATOR);
    for (let index = 0; index < keys.length; index++) {
      const parent = keys.slice(0, index).join(KEY_SEPARATOR);
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
  for (let at = path; at; at = at.slice(0, Math.max(0, at.lastIndexOf(KEY_SEPARATOR)))) {
    if (reads.open.has(at)) return true;
  }
  return false;
}

/** Kinds of values for suggestions: numbers and strings are alike (charts quote numbers freely). */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null || value === undefined) return "empty";
  return typeof value === "number" ? "string" : typeof value;
}

/** Spelling-insensitive form of a key: `total_mem`, `totalMem` and `total-mem` compare equal. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}

/**
 * The existing key at this level closest to `key`: same kind of value first, then fewest edits. A key
 * without a default (read by templates only, or null in values.yaml) takes any kind.
 */
function closest(key: string, value: unknown, siblings: ReadonlyMap<string, unknown>): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const [name, sibling] of siblings) {
    const kinds = [kindOf(sibling), kindOf(value)];
    const sameKind = kinds[0] === kinds[1] || kinds.includes("empty") ? 0 : 1000;
    const score = sameKind + distance(normalise(key), normalise(name));
    if (!best || score < best.score || (score === best.score && name < best.name)) best = { name, score };
  }
  return best?.name;
}

/**
 * One chart's view of the level being walked: a subchart's values are read by the subchart and, under
 * its key, by the parent (its values.yaml and templates), so a level may have several.
 */
interface Layer {
  readonly known: Known;
  readonly defaults: Record<string, unknown>;
  /** Path of this level in the chart's own values ("" at its top). */
  readonly at: string;
  /** `chart cubefs 3.2.0` or `subchart grafana 12.11.1`, for messages. */
  readonly label: string;
}

function labelOf(chart: ChartFiles, role: "chart" | "subchart"): string {
  return `${role} ${chart.name} ${chart.version}`;
}

/** What `layer` makes of `key`: the layers to check below it (none: not known there), or anything goes ("open"). */
function judge(layer: Layer, key: string): Layer[] | "open" {
  const { chart, reads, readChildren } = layer.known;
  const at = join(layer.at, key);
  const top = !layer.at;
  // Helm shares `global` with every chart; a subchart's `enabled` is its parent's condition.
  if (top && (key === "global" || (key === "enabled" && layer.label.startsWith("subchart")))) return "open";
  if (top && chart.missingSubcharts.includes(key)) return "open";
  if (isOpen(reads, at)) return "open";
  const subchart = top ? chart.subcharts.find((candidate) => candidate.key === key) : undefined;
  const sub: Layer[] = subchart
    ? [
        {
          known: knownOf(subchart.chart),
          defaults: subchart.chart.values,
          at: "",
          label: labelOf(subchart.chart, "subchart"),
        },
      ]
    : [];
  const hasDefault = Object.hasOwn(layer.defaults, key);
  const readBelow = readChildren.has(at);
  if (!hasDefault && !reads.read.has(at) && !readBelow) return sub;
  const defaultValue = hasDefault ? layer.defaults[key] : undefined;
  if (isRecord(defaultValue) && Object.keys(defaultValue).length > 0)
    return [{ ...layer, defaults: defaultValue, at }, ...sub];
  // (Here the default is not a map with keys: the templates' reads are all there is below.)
  if (readBelow) return [{ ...layer, defaults: {}, at }, ...sub];
  // Otherwise the default is an empty map, null or a scalar the templates read whole: anything goes below
  // (a subchart's key holds the subchart's values, whatever the parent's placeholder).
  return subchart ? sub : "open";
}

function walk(
  layers: readonly Layer[],
  values: Record<string, unknown>,
  prefix: readonly string[],
  issues: ValuesIssue[],
): void {
  for (const [key, value] of Object.entries(values)) {
    const keys = [...prefix, key];
    const path = keys.join(".");
    const verdicts = layers.map((layer) => judge(layer, key));
    if (verdicts.includes("open")) continue;
    const below = (verdicts as Layer[][]).flat();
    if (below.length === 0) {
      const siblings = new Map<string, unknown>();
      for (const layer of layers) {
        for (const [name, sibling] of Object.entries(layer.defaults))
          if (!siblings.has(name)) siblings.set(name, sibling);
        for (const child of layer.known.readChildren.get(layer.at) ?? [])
          if (!siblings.has(child)) siblings.set(child, undefined);
      }
      const suggestion = closest(key, value, siblings);
      const [first, ...others] = layers.map((layer) => layer.label);
      issues.push({
        path,
        keys,
        message:
          others.length === 0
            ? `\`${path}\` is not a value of ${first}: not in its defaults and read by none of its templates, so Helm ignores it`
            : `\`${path}\` is not a value of ${[first, ...others].join(" nor of its ")}: not in their defaults and read by none of their templates, so Helm ignores it`,
        hint: key.includes(".")
          ? `Helm takes \`${key}\` as one key (only --set splits at dots): write it as nested keys in the generator`
          : suggestion
            ? `did you mean \`${[...prefix, suggestion].join(".")}\`? Fix the key in the generator (or remove it)`
            : "remove the key; see the chart's values.yaml for what it takes",
      });
      continue;
    }
    if (isRecord(value)) walk(below, value, keys, issues);
  }
}

/** Key-by-key check of `values` against `chart` and its subcharts. */
export function checkValueKeys(chart: ChartFiles, values: Record<string, unknown>): ValuesIssue[] {
  const issues: ValuesIssue[] = [];
  walk([{ known: knownOf(chart), defaults: chart.values, at: "", label: labelOf(chart, "chart") }], values, [], issues);
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
      // A package never prints: ajv's warnings (unknown formats) would go to the console.
      const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, logger: false });
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
    // A JSON pointer: `/grafana.ini/server`, with `~1` for `/` and `~0` for `~` inside a key.
    const keys = error.instancePath
      .split("/")
      .slice(1)
      .map((key) => key.replaceAll("~1", "/").replaceAll("~0", "~"));
    const path = keys.join(".");
    return {
      path,
      keys,
      message: `\`${path || "(values)"}\` ${error.message ?? "is invalid"} (values.schema.json of chart ${chart.name} ${chart.version})`,
      hint: "change the value in the generator to what the chart's schema allows",
    };
  });
}

export function checkValues(chart: ChartFiles, values: Record<string, unknown>): ValuesIssue[] {
  return [...checkValueKeys(chart, values), ...checkValuesSchema(chart, values)];
}
