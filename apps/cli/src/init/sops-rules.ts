// Adds a cluster's own creation rules to .sops.yaml ahead of every other rule (so no catch-all, such as the
// demo key's, ever matches its files first). The yaml Document API keeps the file's comments and layout.
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { CliError } from "../errors.js";

export interface ClusterRuleOptions {
  /** Cluster folder relative to the repository root, with forward slashes: `clusters/mine`. */
  readonly clusterPath: string;
  readonly recipients: readonly string[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The rules for one cluster: Secrets (data/stringData only) and everything else under talos/ (whole file). */
export function clusterCreationRules(options: ClusterRuleOptions): Record<string, string>[] {
  const base = escapeRegex(options.clusterPath);
  const age = options.recipients.join(",");
  return [
    {
      path_regex: `(^|/)${base}/(secrets/.*|git-deploy-key)\\.sops\\.yaml$`,
      encrypted_regex: "^(data|stringData)$",
      age,
    },
    { path_regex: `(^|/)${base}/talos/.*\\.sops\\.yaml$`, age },
  ];
}

/** Returns `.sops.yaml` text with the cluster's rules first; existing rules for the same folder are replaced. */
export function addClusterCreationRules(text: string | undefined, options: ClusterRuleOptions): string {
  const document = parseDocument(text ?? "creation_rules: []\n");
  const problem =
    document.errors[0]?.message.split("\n")[0] ?? (isMap(document.contents) ? undefined : "is not a YAML mapping");
  if (problem)
    throw new CliError(
      "E_INPUT",
      `.sops.yaml: ${problem}`,
      "fix .sops.yaml, then run `kubeforge init` again with a new name or add the rules by hand",
    );
  let rules = document.get("creation_rules");
  if (rules === undefined || rules === null) {
    document.set("creation_rules", document.createNode([]));
    rules = document.get("creation_rules");
  }
  if (!isSeq(rules))
    throw new CliError("E_INPUT", ".sops.yaml: creation_rules is not a list", "make creation_rules a list of rules");
  const prefix = `(^|/)${escapeRegex(options.clusterPath)}/`;
  rules.items = rules.items.filter(
    (item) => !(isMap(item) && String((item as YAMLMap).get("path_regex") ?? "").startsWith(prefix)),
  );
  // The comment init wrote above this folder's first rule: yaml reads a comment above the list's first `-` as
  // the list's own, so it does not go away with the rule it belonged to; drop it here, or a second init repeats it.
  const marker = ` ${options.clusterPath} (written by \`kubeforge init\`)`;
  if (rules.commentBefore?.includes(marker)) {
    const kept = rules.commentBefore.split("\n").filter((line) => !line.startsWith(marker));
    rules.commentBefore = kept.length > 0 ? kept.join("\n") : undefined;
  }
  const added = clusterCreationRules(options).map((rule) => document.createNode(rule));
  added[0]!.commentBefore = `${marker}: its own age recipients, ahead of any catch-all.`;
  // yaml parses a comment above the first `-` as the list's; it belongs to that first rule, so move it there.
  const first = rules.items[0];
  if (rules.commentBefore && first && isMap(first) && !first.commentBefore) {
    first.commentBefore = rules.commentBefore;
    rules.commentBefore = undefined;
  }
  rules.items.unshift(...added);
  if (rules.flow) rules.flow = false;
  return document.toString({ lineWidth: 0 });
}
