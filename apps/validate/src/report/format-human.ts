// Renders findings as a human report grouped by file (pure: returns a string, never prints).
import type { Finding, SuppressedFinding } from "../finding.js";

export interface HumanReportInput {
  readonly title: string;
  readonly findings: readonly Finding[];
  readonly suppressed?: readonly SuppressedFinding[];
  /** Lines printed under the title (what was checked). */
  readonly details?: readonly string[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function formatFinding(finding: Finding): string[] {
  const where = [finding.object, finding.path].filter(Boolean).join(" › ");
  const line = finding.line !== undefined ? `${finding.line}:`.padEnd(6) : "".padEnd(6);
  const head = `  ${line}${finding.severity.padEnd(8)}${finding.rule}  ${where ? `${where}: ` : ""}${finding.message}`;
  return [head, `        → ${finding.hint}`];
}

/** Groups findings by file, in the order given (callers sort them). */
export function groupByFile<T extends Finding>(findings: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const finding of findings) groups.set(finding.file, [...(groups.get(finding.file) ?? []), finding]);
  return groups;
}

export function formatHumanReport(input: HumanReportInput): string {
  const lines = [input.title, ...(input.details ?? []).map((detail) => `  ${detail}`), ""];
  for (const [file, findings] of groupByFile(input.findings)) {
    lines.push(file, ...findings.flatMap(formatFinding), "");
  }
  const suppressed = input.suppressed ?? [];
  if (suppressed.length > 0) {
    lines.push("accepted by exceptions:");
    for (const finding of suppressed) {
      lines.push(
        `  ${finding.file}${finding.line ? `:${finding.line}` : ""}  ${finding.rule}  ${finding.object ?? ""} — ${finding.reason}`,
      );
    }
    lines.push("");
  }
  const errors = input.findings.filter((finding) => finding.severity === "error").length;
  const warnings = input.findings.length - errors;
  const summary =
    input.findings.length === 0 ? "no findings" : `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  lines.push(suppressed.length > 0 ? `${summary} (${suppressed.length} accepted by exceptions)` : summary);
  return `${lines.join("\n")}\n`;
}
