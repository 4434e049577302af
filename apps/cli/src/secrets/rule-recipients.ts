// Before `kubeforge secrets updatekeys` re-wraps a cluster's files: the .sops.yaml rule for them must name the same
// age recipients as the cluster's sops.ageRecipients — the list `kubeforge build` checks every file against (see
// ../recipients.ts). Otherwise updatekeys would write files build refuses, or (a key pasted over) files nobody
// the definition names can open.
import path from "node:path";
import { CliError } from "../errors.js";

/** One file to re-wrap and what the matching .sops.yaml rule names for it (undefined: no rule matches). */
export interface PlannedFile {
  readonly file: string;
  readonly rule?: { readonly pathRegex?: string; readonly recipients: readonly string[] };
}

export interface RuleMismatch {
  readonly pathRegex?: string;
  readonly ruleRecipients: readonly string[];
  readonly files: readonly string[];
}

/** The build check's comparison: the same set of recipients, order and repeats ignored. */
export function sameRecipients(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((r, i) => r === right[i]);
}

/** Pure: the rules (grouped, with their files) whose age recipients differ from the cluster's. */
export function compareRuleRecipients(files: readonly PlannedFile[], expected: readonly string[]): RuleMismatch[] {
  const byRule = new Map<string, { pathRegex?: string; ruleRecipients: string[]; files: string[] }>();
  for (const { file, rule } of files) {
    // no rule: kubeforge-sops says so itself (E_SOPS_NO_RULE)
    if (!rule || sameRecipients(rule.recipients, expected)) continue;
    const ruleRecipients = [...new Set(rule.recipients)].sort();
    const key = `${rule.pathRegex ?? ""}\n${ruleRecipients.join(",")}`;
    const entry = byRule.get(key) ?? { pathRegex: rule.pathRegex, ruleRecipients, files: [] };
    entry.files.push(file);
    byRule.set(key, entry);
  }
  return [...byRule.values()];
}

/** The refusal: both lists, the files concerned, and which side to fix. */
export function ruleMismatchError(input: {
  readonly clusterName: string;
  readonly definitionFile: string;
  readonly sopsConfig: string;
  readonly expected: readonly string[];
  readonly mismatches: readonly RuleMismatch[];
  readonly folder: string;
}): CliError {
  const list = (recipients: readonly string[]) => (recipients.length ? recipients.join(", ") : "none");
  const rules = input.mismatches.map(
    (m) =>
      `  ${input.sopsConfig} rule${m.pathRegex ? ` (path_regex ${m.pathRegex})` : ""} names: ${list(m.ruleRecipients)}\n` +
      `    for ${m.files.join(", ")}`,
  );
  return new CliError(
    "E_RECIPIENTS",
    `the .sops.yaml rules for cluster ${input.clusterName} name other age recipients than its definition, so updatekeys would write files \`kubeforge build\` refuses (nothing was written):\n` +
      `${rules.join("\n")}\n` +
      `  ${input.definitionFile} sops.ageRecipients names: ${list(input.expected)}`,
    `make both name the same keys. updatekeys encrypts to the .sops.yaml rule, build checks the files against sops.ageRecipients. ` +
      `Adding a teammate: add their key to both and keep your own. If the rule is right, change sops.ageRecipients; if cluster.ts is right, fix the rule. ` +
      `Then run \`kubeforge secrets updatekeys ${input.folder}\` again`,
  );
}

/**
 * IO edge: for the files of each cluster among `files`, loads the definition and the .sops.yaml rules and throws
 * ruleMismatchError when they disagree. Files outside a cluster folder are not checked.
 */
export async function assertRulesMatchClusters(
  files: readonly string[],
  options: { cwd?: string; configPath?: string } = {},
): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  const { clusterDirOf, loadDefinition } = await import("../cluster-args.js");
  const byCluster = new Map<string, string[]>();
  for (const file of files) {
    const dir = clusterDirOf(path.resolve(cwd, file));
    if (dir) byCluster.set(dir, [...(byCluster.get(dir) ?? []), file]);
  }
  if (byCluster.size === 0) return;
  const { findSopsConfig, matchCreationRule } = await import("@kubeforge/sops");
  const config = await findSopsConfig({ cwd, configPath: options.configPath });
  // no .sops.yaml: kubeforge-sops reports it (E_SOPS_NO_RULE)
  if (!config) return;
  const { findDefinition } = await import("@kubeforge/config");
  for (const [dir, clusterFiles] of byCluster) {
    const definitionFile = findDefinition(dir);
    const { cluster } = await loadDefinition(definitionFile);
    const planned = clusterFiles.map((file): PlannedFile => {
      const rule = matchCreationRule(config, file, cwd);
      return {
        file: path.relative(cwd, path.resolve(cwd, file)),
        rule: rule && { pathRegex: rule.pathRegex, recipients: rule.ageGroups.flat() },
      };
    });
    const mismatches = compareRuleRecipients(planned, cluster.sops.ageRecipients);
    if (mismatches.length === 0) continue;
    throw ruleMismatchError({
      clusterName: cluster.name,
      definitionFile: path.relative(cwd, definitionFile),
      sopsConfig: path.relative(cwd, config.file) || config.file,
      expected: cluster.sops.ageRecipients,
      mismatches,
      folder: path.relative(cwd, dir) || ".",
    });
  }
}
