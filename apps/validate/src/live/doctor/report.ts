// The doctor's human report: errors first, then warnings, each line naming the object, what is wrong and
// the next command to run. Pure: returns the text.
import type { Finding } from "../../finding.js";

export function formatDoctorReport(title: string, findings: readonly Finding[]): string {
  const lines = [title, ""];
  for (const [severity, heading] of [
    ["error", "UNHEALTHY"],
    ["warning", "WARNINGS"],
  ] as const) {
    const group = findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${heading} (${group.length})`);
    for (const finding of group) {
      lines.push(`  ✗ [${finding.file.replace(/^live: /, "")}] ${finding.object ?? ""}: ${finding.message}`);
      lines.push(`      → ${finding.hint}`);
    }
    lines.push("");
  }
  const errors = findings.filter((finding) => finding.severity === "error").length;
  const warnings = findings.length - errors;
  lines.push(findings.length === 0 ? "healthy: no findings" : `${errors} error(s), ${warnings} warning(s)`);
  return `${lines.join("\n")}\n`;
}
