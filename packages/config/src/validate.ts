// Pure validation: unknown data in, a typed cluster or every issue out. No IO here.
import type { z } from "zod";
import { runChecks } from "./checks/index.js";
import { type ConfigIssue, formatPath } from "./errors.js";
import { type Cluster, clusterSchema } from "./schema/cluster.js";

export type ValidationResult =
  | { ok: true; cluster: Cluster; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

function fromZod(issue: z.core.$ZodIssue): ConfigIssue {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    return {
      path,
      message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}`,
      hint: "remove it or check the spelling against the schema",
    };
  }
  if (issue.code === "invalid_type" || issue.code === "invalid_value") {
    if (issue.input === undefined) return { path, message: "is required", hint: `add ${path || "it"}` };
  }
  if (issue.code === "invalid_type") {
    const got =
      issue.input === null
        ? "null"
        : Array.isArray(issue.input)
          ? "a list"
          : `${typeof issue.input} ${JSON.stringify(issue.input)}`;
    const hint = issue.expected === "string" ? 'quote the value, e.g. "v1.13.9"' : `write a ${issue.expected}`;
    return { path, message: `expected a ${issue.expected}, got ${got}`, hint };
  }
  return { path, message: issue.message };
}

/** Validates a cluster definition: the schema first, then the cross-field checks on a well-formed value. */
export function validateCluster(data: unknown): ValidationResult {
  const parsed = clusterSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map(fromZod), warnings: [] };
  }
  const { errors, warnings } = runChecks(parsed.data);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, cluster: parsed.data, warnings };
}
