// Regression: wrapping a data key for an X25519 or ssh-ed25519 recipient made its ephemeral key with
// generateKeyPairSync and exported it; on Node 20 a garbage collection inside that export can finalise the
// key-generation job, which takes the key's lock the export holds: the thread sleeps forever at 0 % CPU
// (gdb: ExportJWKEdKey → GC → ~KeyGenJob → uv_mutex_lock). It hung a CI run inside a CLI encrypt. With
// the young generation shrunk (--max-semi-space-size=1) and garbage between calls, the old code hung within
// 500–24,900 encryptions (9 of 9 tries: mean about 7,000); 40,000 here must finish. Runs the built package (as turbo does).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { alice } from "../../test/keys.js";
import { packageRoot } from "../../test/shared.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-keygen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ROUNDS = 40_000;

describe("ephemeral keys under GC pressure", () => {
  it(`${ROUNDS.toLocaleString("en")} encryptions (X25519 and ssh-ed25519 recipients) never deadlock`, () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-sops-keygen-"));
    const script = path.join(dir, "loop.mjs");
    const index = pathToFileURL(path.join(packageRoot, "dist/index.js")).href;
    // a fixed ssh-ed25519 public key (any valid one: only the wrapping runs)
    const ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    writeFileSync(
      script,
      `import { encryptText } from ${JSON.stringify(index)};
let keep = [];
for (let i = 0; i < ${ROUNDS}; i++) {
  keep.push(new Array((Math.random() * 64) | 0)); // garbage, so collections land at varying points
  if (keep.length > 100) keep = [];
  const recipients = i % 10 === 0 ? [${JSON.stringify(ssh)}] : [${JSON.stringify(alice.recipient)}];
  await encryptText("a: b\\n", { format: "yaml", recipients });
}
console.log("done");
`,
    );
    const result = spawnSync(process.execPath, ["--max-semi-space-size=1", script], {
      encoding: "utf8",
      timeout: 240_000,
      killSignal: "SIGKILL",
    });
    expect(result.error?.message ?? result.stderr, "the loop must finish (a deadlock is killed here)").toBe("");
    expect(result.stdout.trim()).toBe("done");
  });
});
