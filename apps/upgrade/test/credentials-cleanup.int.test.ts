// The run's talosconfig (an os:admin certificate: Talos cannot revoke it) lives for hours, not a year, sits
// 0600 in a 0700 folder, and is gone after every way out: an error exit, SIGINT, SIGTERM and SIGHUP.
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-cleanup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bin = fileURLToPath(new URL("../bin/kubeforge-upgrade.mjs", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Accepts connections and never answers: the run hangs on its first Kubernetes call. */
let silent: Server;
const sockets = new Set<Socket>();
let kubeconfig: string;

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)))) {
    throw new Error("dist/cli.js is missing: run `pnpm --filter @kubeforge/upgrade build` first (turbo does)");
  }
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  kubeconfig = path.join(mkdtempSync(path.join(scratch, "kubeforge-kc-")), "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: `https://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      "current-context": "c",
    }),
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

function start(tmp: string) {
  const stateDir = mkdtempSync(path.join(scratch, "kubeforge-upgrade-state-"));
  const child = spawn(
    process.execPath,
    [bin, "run", "--cluster", path.join(repoRoot, "clusters/homelab/cluster.ts"), "--kubeconfig", kubeconfig],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        TMPDIR: tmp,
        XDG_STATE_HOME: stateDir,
        SOPS_AGE_KEY_FILE: path.join(repoRoot, "demo-keys/age.agekey"),
        SOPS_AGE_KEY: "",
        TALOSCONFIG: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

async function waitForTalosconfig(tmp: string, done: Promise<unknown>): Promise<string> {
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  for (;;) {
    const dir = readdirSync(tmp).find((name) => name.startsWith("kubeforge-upgrade-"));
    const file = dir ? path.join(tmp, dir, "talosconfig") : undefined;
    if (file && existsSync(file) && statSync(file).size > 0) return file;
    if (finished) throw new Error("the run exited before writing its talosconfig");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const leftovers = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith("kubeforge-upgrade-"));

describe("run credentials", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`are short-lived, private, and removed on ${signal}`, async () => {
      const tmp = mkdtempSync(path.join(scratch, "kubeforge-tmp-"));
      const run = start(tmp);
      const file = await waitForTalosconfig(tmp, run.done);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      const config = JSON.parse(readFileSync(file, "utf8"));
      const crt = new X509Certificate(Buffer.from(config.contexts.homelab.crt, "base64"));
      const hours = (Date.parse(crt.validTo) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(1);
      expect(hours).toBeLessThanOrEqual(6.1);
      expect(crt.subject).toContain("O=os:admin");
      run.child.kill(signal);
      const exit = await run.done;
      expect(exit.code).toBe(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal]);
      // Before: the folder (and its one-year os:admin key) stayed behind.
      expect(leftovers(tmp)).toEqual([]);
    });
  }
});
