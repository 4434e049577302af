// The repository's own .sops.yaml and demo secrets: they match the rules and open with the demo key.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoIdentity, demoRecipient } from "../test/keys.js";
import { repoRoot } from "../test/shared.js";
import { openDocument } from "./operations/open.js";
import { findPlaintextSecrets } from "./plaintext-secrets.js";
import { matchCreationRule, parseSopsConfig } from "./rules.js";
import { treeToPlain } from "./tree.js";

const configFile = path.join(repoRoot, ".sops.yaml");
const config = parseSopsConfig(readFileSync(configFile, "utf8"), configFile);

describe("repository .sops.yaml", () => {
  it("encrypts cluster secrets by data/stringData and Talos secrets whole", () => {
    const secrets = matchCreationRule(config, path.join(repoRoot, "clusters/homelab/secrets/x.sops.yaml"));
    expect(secrets).toMatchObject({ encryptedRegex: "^(data|stringData)$", ageGroups: [[demoRecipient]] });
    const talos = matchCreationRule(config, path.join(repoRoot, "clusters/staging/talos/secrets.sops.yaml"));
    expect(talos).toEqual({ pathRegex: expect.any(String), ageGroups: [[demoRecipient]] });
    expect(() => matchCreationRule(config, path.join(repoRoot, "clusters/homelab/cluster.ts"))).toThrow(
      /no matching creation rules/,
    );
  });

  it.each(["homelab", "staging"])("clusters/%s demo Secret decrypts with the demo key", async (cluster) => {
    const file = `clusters/${cluster}/secrets/demo-credentials.sops.yaml`;
    const content = readFileSync(path.join(repoRoot, file), "utf8");
    const opened = await openDocument(content, { format: "yaml", identities: [demoIdentity], file });
    expect(opened.macMatches).toBe(true);
    expect(treeToPlain(opened.branches[0]!)).toMatchObject({
      kind: "Secret",
      metadata: { name: "demo-credentials", namespace: "apps" },
      stringData: { username: "demo-user" },
    });
    expect(content).toContain("metadata:\n  name: demo-credentials\n  namespace: apps\n");
    expect(findPlaintextSecrets([{ path: file, content }])).toEqual([]);
  });
});
