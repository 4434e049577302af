import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { generateDeployKey, knownHostsFor, normaliseGitUrl, renderDeployKeySecret, sshHostOf } from "./deploy-key.js";

it("writes an OpenSSH ed25519 private key that ssh-keygen reads back to the same public key", () => {
  const key = generateDeployKey("flux-mine");
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-key-"));
  try {
    writeFileSync(path.join(dir, "identity"), key.privateKey, { mode: 0o600 });
    const derived = execFileSync("ssh-keygen", ["-y", "-f", path.join(dir, "identity")], { encoding: "utf8" }).trim();
    expect(key.publicKey.startsWith(derived.split(" ").slice(0, 2).join(" "))).toBe(true);
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ flux-mine$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("renders the three keys Flux reads, with the private key as a block", () => {
  const key = generateDeployKey("c");
  const secret = renderDeployKeySecret(key, knownHostsFor("github.com")!);
  expect(secret).toContain("name: flux-system\n  namespace: flux-system");
  expect(secret).toContain("  identity: |\n    -----BEGIN OPENSSH PRIVATE KEY-----");
  expect(secret).toContain(`  identity.pub: ${key.publicKey}`);
  expect(secret).toContain("  known_hosts: |\n    github.com ssh-ed25519 ");
});

it("normalises scp-style Git URLs and names the known_hosts host", () => {
  expect(normaliseGitUrl("git@github.com:me/lab.git")).toBe("ssh://git@github.com/me/lab.git");
  expect(normaliseGitUrl("https://github.com/me/lab.git")).toBe("https://github.com/me/lab.git");
  expect(sshHostOf("ssh://git@git.example.com:2222/me/lab.git")).toBe("[git.example.com]:2222");
  expect(sshHostOf("https://github.com/me/lab.git")).toBeUndefined();
  expect(knownHostsFor("gitea.local")).toBeUndefined();
});
