// The root .gitignore keeps decrypted material out of git: `talos/out` as a folder, a file or a
// symlink, decrypted copies, and editor backups of secret files. Checked with git itself.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./paths.js";

async function ignored(paths: readonly string[]): Promise<string[]> {
  // --no-index: judge the patterns alone, whether or not a path exists or is tracked.
  const result = await execa("git", ["check-ignore", "--no-index", "--stdin"], {
    cwd: repoRoot,
    input: paths.join("\n"),
    reject: false,
  });
  return result.stdout.split("\n").filter(Boolean);
}

describe("root .gitignore", () => {
  it("ignores talos/out as a file or symlink, not only as a folder", async () => {
    const paths = [
      "clusters/homelab/talos/out",
      "clusters/staging/talos/out",
      "clusters/homelab/talos/out/node-1.yaml",
    ];
    expect(await ignored(paths)).toEqual(paths);
  });

  it("ignores editor backups and swap files of secret and Talos files", async () => {
    const paths = [
      "clusters/homelab/secrets/db.sops.yaml~",
      "clusters/homelab/secrets/db.sops.yaml.swp",
      "clusters/homelab/secrets/.db.sops.yaml.swp",
      "clusters/homelab/secrets/.db.sops.yaml.swo",
      "clusters/homelab/secrets/db.sops.yaml.bak",
      "clusters/homelab/secrets/#db.sops.yaml#",
      "clusters/homelab/secrets/.#db.sops.yaml",
      "clusters/homelab/talos/talsecret.sops.yaml~",
      "clusters/homelab/talos/.talsecret.sops.yaml.swp",
      "clusters/staging/talos/talsecret.sops.yaml.bak",
    ];
    expect(await ignored(paths)).toEqual(paths);
  });

  it("ignores decrypted copies", async () => {
    const paths = ["clusters/homelab/secrets/db.decrypted.yaml", "clusters/homelab/talos/talsecret.decrypted"];
    expect(await ignored(paths)).toEqual(paths);
  });

  it("keeps the files that belong in git", async () => {
    const paths = [
      "clusters/homelab/cluster.ts",
      "clusters/homelab/secrets/demo-credentials.sops.yaml",
      "clusters/homelab/talos/talsecret.sops.yaml",
      "clusters/homelab/talos/generated/node-1.sops.yaml",
      "clusters/homelab/flux/kustomization.yaml",
    ];
    expect(await ignored(paths)).toEqual([]);
  });
});
