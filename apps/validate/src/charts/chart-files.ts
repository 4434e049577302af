// A Helm chart as the values check reads it: defaults, schema, template texts and subcharts, from a
// chart archive (.tgz) or from an unpacked chart folder's files.
import { gunzipSync } from "node:zlib";
import { parseTar } from "nanotar";
import { parse } from "yaml";

export interface Subchart {
  /** The key its values sit under in the parent (alias or name). */
  readonly key: string;
  readonly chart: ChartFiles;
}

export interface ChartFiles {
  readonly name: string;
  readonly version: string;
  /** values.yaml, parsed ({} when absent). */
  readonly values: Record<string, unknown>;
  /** values.schema.json, parsed, when the chart ships one. */
  readonly schema?: unknown;
  /** Text of every file under templates/ (helpers included). */
  readonly templates: readonly string[];
  readonly subcharts: readonly Subchart[];
  /** Keys of dependencies whose files are not in the archive (their values cannot be checked). */
  readonly missingSubcharts: readonly string[];
}

export class ChartReadError extends Error {
  override readonly name = "ChartReadError";
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text, { maxAliasCount: -1, logLevel: "error" });
  } catch (error) {
    throw new ChartReadError(`${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** Builds a chart from its files, keyed by path relative to the chart's root (`values.yaml`, `charts/x/Chart.yaml`). */
export function chartFromFiles(files: ReadonlyMap<string, Uint8Array | string>): ChartFiles {
  const text = (path: string) => {
    const content = files.get(path);
    return content === undefined ? undefined : typeof content === "string" ? content : Buffer.from(content).toString();
  };
  const chartYaml = text("Chart.yaml");
  if (chartYaml === undefined) throw new ChartReadError("the archive holds no Chart.yaml");
  const meta = parseYaml(chartYaml, "Chart.yaml");
  if (!isRecord(meta) || typeof meta.name !== "string")
    throw new ChartReadError("Chart.yaml has no name: not a Helm chart");
  const valuesText = text("values.yaml");
  const values = valuesText === undefined ? {} : (parseYaml(valuesText, "values.yaml") ?? {});
  const schemaText = text("values.schema.json");
  let schema: unknown;
  if (schemaText !== undefined) {
    try {
      schema = JSON.parse(schemaText);
    } catch {
      throw new ChartReadError("values.schema.json is not valid JSON");
    }
  }
  const templates = [...files.keys()].filter((path) => path.startsWith("templates/")).map((path) => text(path) ?? "");

  // Subcharts come unpacked (charts/<dir>/…) or packed (charts/<name>-<version>.tgz).
  const byName = new Map<string, ChartFiles>();
  const unpacked = new Map<string, Map<string, Uint8Array | string>>();
  for (const [path, content] of files) {
    const folder = /^charts\/([^/]+)\/(.+)$/.exec(path);
    if (folder?.[1] && folder[2]) {
      const inner = unpacked.get(folder[1]) ?? new Map<string, Uint8Array | string>();
      inner.set(folder[2], content);
      unpacked.set(folder[1], inner);
    } else if (/^charts\/[^/]+\.tgz$/.test(path) && typeof content !== "string") {
      const inner = readChartArchive(content);
      byName.set(inner.name, inner);
    }
  }
  for (const [dir, inner] of unpacked) {
    if (!inner.has("Chart.yaml")) continue;
    const chart = chartFromFiles(inner);
    byName.set(chart.name, chart);
    byName.set(dir, chart);
  }
  const dependencies = Array.isArray(meta.dependencies) ? meta.dependencies.filter(isRecord) : [];
  const subcharts: Subchart[] = [];
  const missingSubcharts: string[] = [];
  for (const dependency of dependencies) {
    const name = String(dependency.name ?? "");
    const key = typeof dependency.alias === "string" ? dependency.alias : name;
    const chart = byName.get(name);
    if (chart) subcharts.push({ key, chart });
    else missingSubcharts.push(key);
  }
  return {
    name: meta.name,
    version: String(meta.version ?? ""),
    values: isRecord(values) ? values : {},
    ...(schema !== undefined ? { schema } : {}),
    templates,
    subcharts,
    missingSubcharts,
  };
}

/** Reads a chart archive (gzip'd tar with one top folder). Throws ChartReadError on a truncated or foreign file. */
export function readChartArchive(bytes: Uint8Array): ChartFiles {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch (error) {
    throw new ChartReadError(`the archive is not a complete gzip file (${(error as Error).message})`);
  }
  let items: { name: string; type?: string | undefined; data?: Uint8Array | undefined }[];
  try {
    items = parseTar(tar);
  } catch (error) {
    throw new ChartReadError(`the archive is not a valid tar file (${(error as Error).message})`);
  }
  const files = new Map<string, Uint8Array>();
  for (const item of items) {
    if (item.type !== "file" || !item.data) continue;
    const slash = item.name.indexOf("/");
    if (slash < 0) continue;
    files.set(item.name.slice(slash + 1), item.data);
  }
  return chartFromFiles(files);
}
