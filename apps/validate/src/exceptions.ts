// Applies exceptions: the inline annotation `kubeforge.dev/validate-ignore: "<rule>: <reason>"` on an object,
// and `exceptions` in validate.yaml. An exception without a reason is itself a finding.
import path from "node:path";
import type { ConfigException, ValidateConfig } from "./config-file.js";
import type { Finding, SuppressedFinding } from "./finding.js";
import { findingAt, isRecord } from "./rules/rule.js";
import { describeObject, type ManifestDocument } from "./tree/manifest-document.js";

export const IGNORE_ANNOTATION = "kubeforge.dev/validate-ignore";

interface InlineException {
  readonly file: string;
  readonly object: string;
  readonly rule: string;
  readonly reason: string;
}

/** Parses the annotation value: `rule: reason`, several separated by new lines or `; other-rule:`. */
export function parseIgnoreAnnotation(value: string): { rule: string; reason: string }[] {
  return value
    .split(/\n|;\s*(?=[a-z][a-z0-9-]*\s*:)/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(":");
      return colon < 0
        ? { rule: part, reason: "" }
        : { rule: part.slice(0, colon).trim(), reason: part.slice(colon + 1).trim() };
    });
}

function inlineExceptions(documents: readonly ManifestDocument[]): {
  exceptions: InlineException[];
  findings: Finding[];
} {
  const exceptions: InlineException[] = [];
  const findings: Finding[] = [];
  for (const document of documents) {
    const metadata = isRecord(document.object.metadata) ? document.object.metadata : {};
    const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
    const value = annotations[IGNORE_ANNOTATION];
    if (typeof value !== "string") continue;
    for (const entry of parseIgnoreAnnotation(value)) {
      if (!entry.reason) {
        findings.push(
          findingAt(document, {
            rule: "invalid-exception",
            path: ["metadata", "annotations", IGNORE_ANNOTATION],
            message: `exception for "${entry.rule}" gives no reason`,
            hint: `write it as "${entry.rule}: <why this is acceptable>"`,
          }),
        );
        continue;
      }
      exceptions.push({
        file: document.file,
        object: describeObject(document),
        rule: entry.rule,
        reason: entry.reason,
      });
    }
  }
  return { exceptions, findings };
}

function matchesConfig(
  finding: Finding,
  exception: ConfigException,
  config: ValidateConfig,
  displayBase: string,
): boolean {
  if (exception.rule !== finding.rule) return false;
  if (exception.object && exception.object !== finding.object) return false;
  if (exception.path && !finding.path.startsWith(exception.path)) return false;
  if (exception.file) {
    const target = path.resolve(config.dir, exception.file);
    const actual = path.resolve(displayBase, finding.file);
    if (actual !== target && !actual.startsWith(`${target}${path.sep}`)) return false;
  }
  return true;
}

export interface AppliedExceptions {
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
}

/** Splits findings into those that stand and those an exception covers; adds exception problems. */
export function applyExceptions(
  findings: readonly Finding[],
  options: { documents: readonly ManifestDocument[]; config: ValidateConfig; displayBase: string },
): AppliedExceptions {
  const inline = inlineExceptions(options.documents);
  const kept: Finding[] = [...inline.findings];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<ConfigException>();
  for (const finding of findings) {
    const byAnnotation = inline.exceptions.find(
      (exception) =>
        exception.rule === finding.rule && exception.file === finding.file && exception.object === finding.object,
    );
    const byConfig = byAnnotation
      ? undefined
      : options.config.exceptions.find((exception) =>
          matchesConfig(finding, exception, options.config, options.displayBase),
        );
    if (byConfig) used.add(byConfig);
    const reason = byAnnotation?.reason ?? byConfig?.reason;
    if (reason) suppressed.push({ ...finding, reason });
    else kept.push(finding);
  }
  const configFile = options.config.file ? path.relative(options.displayBase, options.config.file) : "validate.yaml";
  options.config.exceptions.forEach((exception, index) => {
    if (used.has(exception)) return;
    kept.push({
      rule: "unused-exception",
      severity: "warning",
      file: configFile,
      path: `exceptions[${index}]`,
      message: `exception for "${exception.rule}" matches no finding`,
      hint: "remove it, or fix its file/object/path so it matches",
    });
  });
  return { findings: kept, suppressed };
}
