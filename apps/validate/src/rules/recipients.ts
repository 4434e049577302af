// Every SOPS-encrypted file of a cluster (Talos bundle, talos/generated, secrets/, the Git deploy key) must be
// encrypted to exactly the cluster's sops.ageRecipients; the public demo key is accepted only for examples.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, DEMO_AGE_RECIPIENT } from "@kubeforge/config";
import type { Finding } from "../finding.js";
import type { Rule } from "./rule.js";

export const RECIPIENTS_RULE = "sops-recipients";

export interface RecipientsInput {
  /** Files of the cluster folder, paths as shown in reports; non-SOPS files are ignored. */
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly cluster: Pick<Cluster, "sops"> & { readonly name?: string };
  /** Where the cluster definition is, for findings about it. */
  readonly definitionFile?: string;
  /**
   * The `sops.mac` lines of the example clusters' Talos bundles (encrypted to the demo key): a bundle with one of these
   * is a copy of an example's public PKI; any other bundle encrypted to the demo key is the cluster's own, now public.
   */
  readonly exampleBundleMacs?: readonly string[];
}

/** The `mac:` line of a SOPS YAML file: equal MACs mean the same encrypted content (a copy). */
export function sopsMacOf(content: string): string | undefined {
  return /^\s*"?mac"?\s*:\s*"?(ENC\[[^\]]+\])/m.exec(content)?.[1];
}

/** The fix for a file encrypted to the public demo key in a cluster that is not an example: its secrets are public. */
function demoHint(file: string, content: string, input: RecipientsInput, expected: readonly string[]): string {
  const normalized = file.replaceAll("\\", "/");
  const cluster = input.cluster.name ?? "<cluster>";
  const regenerateBundle = `delete the talos/ folder and run \`kubeforge talos gen secrets --cluster ${cluster}\`, then \`kubeforge build ${cluster}\``;
  if (/(^|\/)talos\/talsecret\.sops\.yaml$/.test(normalized)) {
    const mac = sopsMacOf(content);
    if (mac && input.exampleBundleMacs?.includes(mac))
      return `this is the example's public Talos PKI: never use it. ${regenerateBundle} (or start over with \`kubeforge init <name>\`)`;
    return `this cluster's Talos PKI (CA keys, tokens) was encrypted to the public demo key, so it must be treated as public. It cannot be rotated silently: ${regenerateBundle}, then re-install every node with the new configs (a running cluster needs a planned CA rotation, \`talosctl rotate-ca\`). Re-encrypting alone does not help once the file was pushed`;
  }
  if (/(^|\/)git-deploy-key\.sops\.yaml$/.test(normalized))
    return `the Flux deploy key's private half is public: make a new deploy key (\`ssh-keygen -t ed25519 -N '' -f deploy\`, put it in with \`kubeforge secrets edit ${file}\`, as \`kubeforge init\` does), add its public key to the Git host and delete the old deploy key there. Re-encrypting the old key does not help`;
  return `its values are public: regenerate every secret in it (new passwords, tokens, keys), then encrypt it to ${expected.join(", ")} (the .sops.yaml rule of this cluster) with \`kubeforge secrets updatekeys ${file}\``;
}

/** age recipients of a SOPS file (YAML or JSON), or undefined when the text carries no SOPS metadata. */
export function sopsRecipientsOf(content: string): string[] | undefined {
  const yamlStart = content.search(/^sops:\s*$/m);
  const jsonStart = yamlStart < 0 ? content.search(/"sops"\s*:\s*\{/) : -1;
  const start = yamlStart >= 0 ? yamlStart : jsonStart;
  if (start < 0) return undefined;
  const metadata = content.slice(start);
  return [
    ...new Set([...metadata.matchAll(/"?recipient"?\s*:\s*"?(age1[0-9a-z]+)/g)].map((match) => match[1]!)),
  ].sort();
}

// flux/ holds byte-identical copies of secrets/: checking the sources is enough and avoids duplicate findings.
const isCopy = (file: string) => /(^|\/)flux\//.test(file.replaceAll("\\", "/"));

const describe = (recipients: readonly string[]) =>
  recipients.length
    ? recipients.map((r) => (r === DEMO_AGE_RECIPIENT ? `${r} (the public demo key)` : r)).join(", ")
    : "none";

/** Pure: findings for files whose recipients differ from the cluster's, and for a non-example naming the demo key. */
export function checkSopsRecipients(input: RecipientsInput): Finding[] {
  const expected = [...new Set(input.cluster.sops.ageRecipients)].sort();
  const example = input.cluster.sops.example === true;
  const findings: Finding[] = [];
  if (!example && expected.includes(DEMO_AGE_RECIPIENT)) {
    findings.push({
      rule: RECIPIENTS_RULE,
      severity: "error",
      file: input.definitionFile ?? "cluster.ts",
      path: "sops.ageRecipients",
      message: `names the public demo key ${DEMO_AGE_RECIPIENT} from demo-keys/, which anyone can decrypt`,
      hint: "put your own age public key there (`kubeforge init` creates one; `age-keygen -y <key file>` prints it); only clusters marked `sops: { example: true }` may use the demo key",
    });
  }
  for (const file of input.files) {
    if (isCopy(file.path)) continue;
    const actual = sopsRecipientsOf(file.content);
    if (actual === undefined) continue;
    const same = actual.length === expected.length && actual.every((r, i) => r === expected[i]);
    const usesDemo = !example && actual.includes(DEMO_AGE_RECIPIENT);
    if (same && !usesDemo) continue;
    const demoNote = usesDemo ? " — it is encrypted to the public demo key, so its contents are public" : "";
    const hint = usesDemo
      ? demoHint(file.path, file.content, input, expected)
      : `re-encrypt it to the cluster's recipients: make the .sops.yaml rule for this cluster name ${expected.join(", ")}, then run \`kubeforge secrets updatekeys ${file.path}\` (or \`kubeforge-sops updatekeys ${file.path}\`)`;
    findings.push({
      rule: RECIPIENTS_RULE,
      severity: "error",
      file: file.path,
      path: "sops.age",
      message: `is encrypted to ${describe(actual)}, expected exactly sops.ageRecipients: ${describe(expected)}${demoNote}`,
      hint,
    });
  }
  return findings;
}

export const sopsRecipientsRule: Rule = {
  id: RECIPIENTS_RULE,
  description:
    "Every encrypted file of the cluster is encrypted to exactly its sops.ageRecipients (demo key: examples only).",
  check({ files, cluster, sourceRoot, clusterDir }) {
    return cluster
      ? checkSopsRecipients({ files, cluster, exampleBundleMacs: exampleBundleMacs(sourceRoot, clusterDir) })
      : [];
  },
};

/** MACs of the other Talos bundles under <root>/clusters/* encrypted to the demo key (the examples'); IO at the edge. */
function exampleBundleMacs(root: string | undefined, own: string | undefined): string[] {
  if (!root) return [];
  const clusters = path.join(root, "clusters");
  let names: string[];
  try {
    names = readdirSync(clusters);
  } catch {
    return [];
  }
  const macs: string[] = [];
  for (const name of names) {
    // The cluster being checked is never its own example.
    if (own && path.resolve(clusters, name) === path.resolve(own)) continue;
    let content: string;
    try {
      content = readFileSync(path.join(clusters, name, "talos", "talsecret.sops.yaml"), "utf8");
    } catch {
      continue;
    }
    const mac = sopsMacOf(content);
    if (mac && sopsRecipientsOf(content)?.includes(DEMO_AGE_RECIPIENT)) macs.push(mac);
  }
  return macs;
}
