// Pure validation: unknown data in, a typed cluster or every issue out. No IO here.
import { distance } from "fastest-levenshtein";
import type { z } from "zod";
import { runChecks } from "./checks/index.js";
import { type ConfigIssue, formatPath } from "./errors.js";
import { type Cluster, clusterSchema } from "./schema/cluster.js";

export type ValidationResult =
  | { ok: true; cluster: Cluster; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/** zod's type names as a YAML or TypeScript author says them. */
const KIND_NAMES: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  int: "an integer",
};

/** What a value is, for messages: `number 42`, `a list`, `null`. */
function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  return `${typeof input} ${JSON.stringify(input)}`;
}

/** The known key an unknown one is probably a typo of (`nameserver` → `nameservers`), as tsc would suggest. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function fromZod(
  issue: z.core.$ZodIssue,
  /** The known key an unknown `key` at `path` is probably a typo of. */
  guess: (path: readonly PropertyKey[], key: string) => string | undefined = () => undefined,
): ConfigIssue {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    const guesses = issue.keys.map((key) => guess(issue.path, key)).filter((key) => key !== undefined);
    return {
      path,
      message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}${guesses.length > 0 ? ` (did you mean ${guesses.join(", ")}?)` : ""}`,
      hint: "remove it or check the spelling against the schema",
    };
  }
  if (issue.code === "invalid_union") {
    // Every alternative failed. The one of the input's own kind (a mapping for a selector, a string for a path) says
    // what is wrong inside it; when none is of its kind, name the kinds it may be instead of zod's "Invalid input".
    const ofItsKind = issue.errors.find((alternative) => !alternative.every((inner) => inner.code === "invalid_type"));
    const first = ofItsKind?.[0];
    if (first) return fromZod({ ...first, path: [...issue.path, ...first.path] }, guess);
    const kinds = [
      ...new Set(
        issue.errors.flatMap((alternative) =>
          alternative.flatMap((inner) => (inner.code === "invalid_type" ? [inner.expected] : [])),
        ),
      ),
    ].map((kind) => KIND_NAMES[kind] ?? `a ${kind}`);
    if (issue.input === undefined) return { path, message: "is required", hint: `add ${path || "it"}` };
    return {
      path,
      message: `expected ${kinds.join(" or ")}, got ${describeInput(issue.input)}`,
      hint: "see the field's description in the schema (your editor shows it on hover)",
    };
  }
  if (issue.code === "invalid_type" || issue.code === "invalid_value") {
    if (issue.input === undefined) return { path, message: "is required", hint: `add ${path || "it"}` };
  }
  if (issue.code === "invalid_type") {
    const got = describeInput(issue.input);
    const hint = issue.expected === "string" ? 'quote the value, e.g. "v1.13.9"' : `write a ${issue.expected}`;
    return { path, message: `expected a ${issue.expected}, got ${got}`, hint };
  }
  return { path, message: issue.message };
}

/** The keys the schema allows for the object at `path` (through optional/default wrappers, arrays and records). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = (value: unknown): unknown => {
    let node = value as { def?: { type?: string; innerType?: unknown; in?: unknown; element?: unknown } } | undefined;
    for (let guard = 0; node?.def && guard < 20; guard++) {
      const { type } = node.def;
      if (type === "optional" || type === "default" || type === "nullable" || type === "prefault")
        node = node.def.innerType as typeof node;
      else if (type === "pipe") node = node.def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const key of path) {
    const node = unwrap(current) as {
      def?: { type?: string; element?: unknown; valueType?: unknown };
      shape?: Record<string, unknown>;
    };
    if (typeof key === "number" && node?.def?.type === "array") current = node.def.element;
    else if (node?.shape && typeof key === "string") current = node.shape[key];
    else if (node?.def?.type === "record") current = node.def.valueType;
    else return [];
  }
  const node = unwrap(current) as
    | { shape?: Record<string, unknown>; def?: { type?: string; options?: unknown[] } }
    | undefined;
  if (node?.shape) return Object.keys(node.shape);
  // a union (a disk: a path or a selector): the keys of its object alternatives
  if (node?.def?.type === "union") {
    return (node.def.options ?? []).flatMap((option) => {
      const inner = unwrap(option) as { shape?: Record<string, unknown> } | undefined;
      return inner?.shape ? Object.keys(inner.shape) : [];
    });
  }
  return [];
}

/** Validates a cluster definition: the schema first, then the cross-field checks on a well-formed value. */
export function validateCluster(data: unknown): ValidationResult {
  const parsed = clusterSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    // each unknown key's did-you-mean, worked out once: the messages and the filter below both use it
    const guesses = new Map<string, string | undefined>();
    const guess = (at: readonly PropertyKey[], key: string) => {
      const id = formatPath([...at, key]);
      if (!guesses.has(id)) guesses.set(id, closestKey(key, objectKeysAt(clusterSchema, at)));
      return guesses.get(id);
    };
    // `enviroment: staging` is one mistake: the did-you-mean of the unknown key says it, so the "environment is
    // required" it causes is not reported as a second one
    const meant = new Set<string>();
    for (const issue of parsed.error.issues) {
      if (issue.code !== "unrecognized_keys") continue;
      for (const key of issue.keys) {
        const known = guess(issue.path, key);
        if (known) meant.add(formatPath([...issue.path, known]));
      }
    }
    const missing = (issue: z.core.$ZodIssue) =>
      (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined;
    const issues = parsed.error.issues.filter((issue) => !(missing(issue) && meant.has(formatPath(issue.path))));
    return { ok: false, errors: issues.map((issue) => fromZod(issue, guess)), warnings: [] };
  }
  const { errors, warnings } = runChecks(parsed.data);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, cluster: parsed.data, warnings };
}
