import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_AGE_RECIPIENT } from "@kubeforge/config";
import { expect, it } from "vitest";
import { checkSopsRecipients, sopsMacOf, sopsRecipientsOf, sopsRecipientsRule } from "./recipients.js";
import type { RuleContext } from "./rule.js";

const OWN = "age1qwp864mpgk3hgh0j5h2ms30r5zw37xv8jwlk8s6chcrpzhz63skqn6tvzh";
const OTHER = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

const sopsYaml = (...recipients: string[]) =>
  `data:\n    password: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n    age:\n${recipients
    .map(
      (r) =>
        `        - recipient: ${r}\n          enc: |\n            -----BEGIN AGE ENCRYPTED FILE-----\n            -----END AGE ENCRYPTED FILE-----\n`,
    )
    .join("")}    version: 3.13.0\n`;

const cluster = (recipients: string[], example = false) => ({
  sops: { ageRecipients: recipients, decryptionSecret: "sops-age", example },
});

it("reads the recipients of YAML and JSON sops files, and nothing from plain files", () => {
  expect(sopsRecipientsOf(sopsYaml(OWN, OTHER))).toEqual([OWN, OTHER].sort());
  expect(sopsRecipientsOf(`{"a":"ENC[…]","sops":{"age":[{"recipient":"${OWN}","enc":"…"}]}}`)).toEqual([OWN]);
  expect(sopsRecipientsOf("apiVersion: v1\nkind: ConfigMap\n")).toBeUndefined();
});

it("allows files encrypted to exactly the cluster's recipients", () => {
  const files = [{ path: "mine/secrets/db.sops.yaml", content: sopsYaml(OWN) }];
  expect(checkSopsRecipients({ files, cluster: cluster([OWN]) })).toEqual([]);
});

it("denies missing, extra and demo recipients, naming the file, both lists and the updatekeys fix", () => {
  const files = [
    { path: "mine/secrets/db.sops.yaml", content: sopsYaml(OWN, OTHER) },
    { path: "mine/talos/generated/node-1.sops.yaml", content: sopsYaml(OTHER) },
    { path: "mine/talos/talsecret.sops.yaml", content: sopsYaml(DEMO_AGE_RECIPIENT) },
    { path: "mine/flux/infrastructure/secrets/db.sops.yaml", content: sopsYaml(OTHER) },
  ];
  const findings = checkSopsRecipients({ files, cluster: cluster([OWN]) });
  expect(findings.map((finding) => finding.file)).toEqual([
    "mine/secrets/db.sops.yaml",
    "mine/talos/generated/node-1.sops.yaml",
    "mine/talos/talsecret.sops.yaml",
  ]);
  expect(findings[0]!.message).toBe(
    `is encrypted to ${[OWN, OTHER].sort().join(", ")}, expected exactly sops.ageRecipients: ${OWN}`,
  );
  expect(findings[0]!.hint).toContain("kubeforge secrets updatekeys mine/secrets/db.sops.yaml");
  expect(findings[2]!.message).toContain("(the public demo key)");
  // Its own bundle encrypted to the demo key: public, cannot be rotated silently — never "re-encrypt to the demo key".
  expect(findings[2]!.hint).toContain("must be treated as public");
  expect(findings[2]!.hint).toContain("cannot be rotated silently");
  expect(findings[2]!.hint).not.toContain("example's public Talos PKI");
  expect(findings[2]!.hint).not.toContain(DEMO_AGE_RECIPIENT);
});

it("calls a bundle the example's public Talos PKI only when it is a copy of an example's bundle", () => {
  const copied = `${sopsYaml(DEMO_AGE_RECIPIENT)}    mac: ENC[AES256_GCM,data:example,iv:i,tag:t,type:str]\n`;
  const own = `${sopsYaml(DEMO_AGE_RECIPIENT)}    mac: ENC[AES256_GCM,data:own,iv:i,tag:t,type:str]\n`;
  const check = (content: string) =>
    checkSopsRecipients({
      files: [{ path: "mine/talos/talsecret.sops.yaml", content }],
      cluster: { ...cluster([OWN]), name: "mine" },
      exampleBundleMacs: ["ENC[AES256_GCM,data:example,iv:i,tag:t,type:str]"],
    })[0]!.hint;
  expect(check(copied)).toContain("the example's public Talos PKI");
  expect(check(copied)).toContain("kubeforge talos gen secrets --cluster mine");
  expect(check(own)).not.toContain("example's");
  expect(check(own)).toContain("cannot be rotated silently");
});

it("tells a non-example cluster to replace a deploy key or secret encrypted to the demo key, not to re-encrypt it", () => {
  const findings = checkSopsRecipients({
    files: [
      { path: "mine/git-deploy-key.sops.yaml", content: sopsYaml(DEMO_AGE_RECIPIENT) },
      { path: "mine/secrets/db.sops.yaml", content: sopsYaml(DEMO_AGE_RECIPIENT) },
    ],
    cluster: cluster([OWN]),
  });
  expect(findings[0]!.hint).toContain("make a new deploy key");
  expect(findings[0]!.hint).toContain("delete the old deploy key");
  expect(findings[1]!.hint).toContain("regenerate every secret");
  for (const finding of findings) expect(finding.hint).not.toContain(DEMO_AGE_RECIPIENT);
});

it("accepts the demo key only for clusters marked as examples", () => {
  const files = [{ path: "homelab/talos/talsecret.sops.yaml", content: sopsYaml(DEMO_AGE_RECIPIENT) }];
  expect(checkSopsRecipients({ files, cluster: cluster([DEMO_AGE_RECIPIENT], true) })).toEqual([]);
  const notExample = checkSopsRecipients({
    files,
    cluster: cluster([DEMO_AGE_RECIPIENT]),
    definitionFile: "copy/cluster.ts",
  });
  expect(notExample.map((finding) => `${finding.file}: ${finding.path}`)).toEqual([
    "copy/cluster.ts: sops.ageRecipients",
    "homelab/talos/talsecret.sops.yaml: sops.age",
  ]);
});

it("reads the mac line of YAML and JSON sops files", () => {
  const mac = "ENC[AES256_GCM,data:m,iv:i,tag:t,type:str]";
  expect(sopsMacOf(`${sopsYaml(OWN)}    mac: ${mac}\n`)).toBe(mac);
  expect(sopsMacOf(`{\n\t"sops": {\n\t\t"mac": "${mac}"\n\t}\n}`)).toBe(mac);
  expect(sopsMacOf(sopsYaml(OWN))).toBeUndefined();
  expect(sopsMacOf(`data:\n    hmac: ${mac}\n`)).toBeUndefined();
});

it("the rule finds the examples' Talos bundles beside the cluster, never counting the cluster's own", () => {
  const root = mkdtempSync(path.join(tmpdir(), "kubeforge-recipients-"));
  try {
    const bundle = (mac: string, recipient = DEMO_AGE_RECIPIENT) =>
      `${sopsYaml(recipient)}    mac: ENC[AES256_GCM,data:${mac},iv:i,tag:t,type:str]\n`;
    const write = (cluster: string, content: string) => {
      mkdirSync(path.join(root, "clusters", cluster, "talos"), { recursive: true });
      writeFileSync(path.join(root, "clusters", cluster, "talos", "talsecret.sops.yaml"), content);
    };
    write("homelab", bundle("example"));
    write("private", bundle("private", OTHER)); // not encrypted to the demo key: not an example
    write("mine", bundle("mine"));
    write("plain", "cluster:\n  id: abc\n"); // not encrypted at all: neither an example nor a reason to stop
    mkdirSync(path.join(root, "clusters", "empty"));
    const hintFor = (content: string, { cluster = "mine", sourceRoot = root } = {}) => {
      const context = {
        files: [{ path: "mine/talos/talsecret.sops.yaml", content }],
        cluster: { name: "mine", sops: { ageRecipients: [OWN], decryptionSecret: "sops-age" } },
        ...(sourceRoot ? { sourceRoot } : {}),
        clusterDir: path.join(root, "clusters", cluster),
        documents: [],
      } as unknown as RuleContext;
      const findings = sopsRecipientsRule.check(context) as ReturnType<typeof checkSopsRecipients>;
      expect(findings).toHaveLength(1);
      return findings[0]!.hint;
    };
    expect(hintFor(bundle("example"))).toContain("the example's public Talos PKI");
    expect(hintFor(bundle("private"))).not.toContain("example's");
    // The cluster's own bundle is never its own example, even if another cluster folder is checked.
    expect(hintFor(bundle("mine"))).not.toContain("example's");
    expect(hintFor(bundle("mine"), { cluster: "homelab" })).toContain("the example's public Talos PKI");
    expect(hintFor(bundle("example"), { cluster: "homelab" })).not.toContain("example's");
    // Without a source root, or with no clusters/ folder in it, there are no examples to compare with.
    expect(hintFor(bundle("example"), { sourceRoot: "" })).not.toContain("example's");
    expect(hintFor(bundle("example"), { sourceRoot: path.join(root, "clusters") })).not.toContain("example's");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it("the rule checks nothing without a cluster model", () => {
  const files = [{ path: "mine/secrets/db.sops.yaml", content: sopsYaml(OTHER) }];
  expect(sopsRecipientsRule.check({ files, documents: [] } as unknown as RuleContext)).toEqual([]);
});

it("reads recipients only from the sops block, wherever it starts, and not from look-alike keys", () => {
  const block = `sops:\n    age:\n        - recipient: ${OWN}\n`;
  expect(sopsRecipientsOf(block)).toEqual([OWN]);
  expect(sopsRecipientsOf(`data:\n    recipient: ${OTHER}\n${block}`)).toEqual([OWN]);
  expect(sopsRecipientsOf(`data:\n    a: b\nsops:  \n    age:\n        - recipient: ${OWN}\n`)).toEqual([OWN]);
  expect(sopsRecipientsOf(`{\n\t"a": "x",\n\t"sops": {\n\t\t"age": [{"recipient": "${OWN}"}]\n\t}\n}`)).toEqual([OWN]);
  expect(sopsRecipientsOf(`nosops:\n    recipient: ${OWN}\n`)).toBeUndefined();
  expect(sopsRecipientsOf(`sops: disabled\nrecipient: ${OWN}\n`)).toBeUndefined();
});

it("a file missing one of several recipients, or with another in its place, is reported; order does not matter", () => {
  const check = (content: string) =>
    checkSopsRecipients({ files: [{ path: "mine/secrets/db.sops.yaml", content }], cluster: cluster([OWN, OTHER]) });
  expect(check(sopsYaml(OTHER, OWN))).toEqual([]);
  expect(check(sopsYaml(OTHER))).toHaveLength(1);
  const third = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  const [finding] = check(sopsYaml(third, [OWN, OTHER].sort()[0]!));
  expect(finding).toMatchObject({
    rule: "sops-recipients",
    severity: "error",
    file: "mine/secrets/db.sops.yaml",
    path: "sops.age",
  });
  expect(finding?.hint).toContain(`make the .sops.yaml rule for this cluster name ${[OWN, OTHER].sort().join(", ")}`);
  // A secret encrypted to the demo key is re-encrypted to every recipient of the cluster once regenerated.
  expect(check(sopsYaml(DEMO_AGE_RECIPIENT))[0]?.hint).toContain(`encrypt it to ${[OWN, OTHER].sort().join(", ")} (`);
});

it("names a file encrypted to no age key, skips plain files and flux/ copies (also with Windows separators)", () => {
  const findings = checkSopsRecipients({
    files: [
      { path: "mine/secrets/pgp.sops.yaml", content: "data:\n    a: ENC[x]\nsops:\n    pgp: []\n" },
      { path: "mine/notes.yaml", content: "apiVersion: v1\nkind: ConfigMap\n" },
      { path: "flux/secrets/db.sops.yaml", content: sopsYaml(OTHER) },
      { path: "mine\\flux\\secrets\\db.sops.yaml", content: sopsYaml(OTHER) },
    ],
    cluster: cluster([OWN]),
  });
  expect(findings.map((finding) => `${finding.file}: ${finding.message}`)).toEqual([
    `mine/secrets/pgp.sops.yaml: is encrypted to none, expected exactly sops.ageRecipients: ${OWN}`,
  ]);
});

it("the demo key in a non-example model is reported on the definition, with the fix", () => {
  const [finding] = checkSopsRecipients({ files: [], cluster: cluster([DEMO_AGE_RECIPIENT]) });
  expect(finding).toEqual({
    rule: "sops-recipients",
    severity: "error",
    file: "cluster.ts",
    path: "sops.ageRecipients",
    message: `names the public demo key ${DEMO_AGE_RECIPIENT} from demo-keys/, which anyone can decrypt`,
    hint: "put your own age public key there (`kubeforge init` creates one; `age-keygen -y <key file>` prints it); only clusters marked `sops: { example: true }` may use the demo key",
  });
});

it.each([
  ["talos/talsecret.sops.yaml", "cannot be rotated silently"],
  ["mine\\talos\\talsecret.sops.yaml", "cannot be rotated silently"],
  ["mine/talos/talsecret.sops.yaml.orig", "regenerate every secret"],
  ["git-deploy-key.sops.yaml", "make a new deploy key"],
  ["mine/git-deploy-key.sops.yaml.orig", "regenerate every secret"],
])("a file encrypted to the demo key at %s: the hint says %s", (file, expected) => {
  const content = `${sopsYaml(DEMO_AGE_RECIPIENT)}    mac: ENC[AES256_GCM,data:m,iv:i,tag:t,type:str]\n`;
  const [finding] = checkSopsRecipients({ files: [{ path: file, content }], cluster: cluster([OWN]) });
  expect(finding?.message).toBe(
    `is encrypted to ${DEMO_AGE_RECIPIENT} (the public demo key), expected exactly sops.ageRecipients: ${OWN} — it is encrypted to the public demo key, so its contents are public`,
  );
  expect(finding?.hint).toContain(expected);
  if (expected === "cannot be rotated silently") expect(finding?.hint).toContain("--cluster <cluster>");
  if (expected === "regenerate every secret") expect(finding?.hint).toContain(`encrypt it to ${OWN} `);
});
