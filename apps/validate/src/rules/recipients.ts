// Every SOPS-encrypted file of a cluster (Talos bundle, talos/generated, secrets/, the Git deploy key) must be
// encrypted to exactly the cluster's sops.ageRecipients; the public demo key is accepted only for examples.
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
    const allowedDemo = example ? [] : [DEMO_AGE_RECIPIENT];
    const same = actual.length === expected.length && actual.every((r, i) => r === expected[i]);
    const usesDemo = !example && actual.includes(DEMO_AGE_RECIPIENT);
    if (same && !usesDemo) continue;
    const isBundle = /(^|\/)talos\/talsecret\.sops\.yaml$/.test(file.path.replaceAll("\\", "/"));
    const demoNote = usesDemo ? " — it is encrypted to the public demo key, so its contents are public" : "";
    const hint =
      isBundle && actual.some((r) => allowedDemo.includes(r))
        ? "this is the example's public Talos PKI: never reuse it. Delete the talos/ folder and run `kubeforge talos gen secrets --cluster <cluster>` (or start with `kubeforge init <name>`)"
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
  check({ files, cluster }) {
    return cluster ? checkSopsRecipients({ files, cluster }) : [];
  },
};
