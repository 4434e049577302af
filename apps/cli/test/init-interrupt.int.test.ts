// Ctrl-C during `kubeforge init`: no staging folder survives, an interrupted `pnpm install` names the next step, and a
// re-run on the half-made cluster says exactly what to do. A fake pnpm on PATH writes a marker and waits, so the
// signal arrives at a known point (no sleeps). Scratch repository inside apps/cli; nothing leaves loopback.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP as app, BIN as bin, HANG, interruptAtMarker, REPO as repo } from "./harness.js";

const FLAGS = [
  "--node",
  "192.168.7.11,aa:bb:cc:dd:ee:01",
  "--node",
  "192.168.7.12,aa:bb:cc:dd:ee:02",
  "--node",
  "192.168.7.13,aa:bb:cc:dd:ee:03",
  "--gateway",
  "192.168.7.1",
  "--vip",
  "192.168.7.10",
  "--oidc-issuer",
  "https://auth.example.com",
  "--git-url",
  "git@github.com:me/lab.git",
];

let work: string;
let root: string;
let home: string;
let fakeBin: string;
let keyFile: string;
const marker = () => path.join(work, "pnpm-reached");

function env() {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, NODE_PATH: _p, ...rest } = process.env;
  return { ...rest, HOME: home, PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`, FAKE_MARKER: marker() };
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-init-int-"));
  home = mkdtempSync(path.join(tmpdir(), "kubeforge-home-"));
  root = path.join(work, "repo");
  mkdirSync(path.join(root, "clusters"), { recursive: true });
  writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
  cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  fakeBin = path.join(work, "bin");
  mkdirSync(fakeBin);
  writeFileSync(path.join(fakeBin, "pnpm"), `#!/bin/sh\nexec "${process.execPath}" "${HANG}" "$FAKE_MARKER" "$@"\n`);
  chmodSync(path.join(fakeBin, "pnpm"), 0o755);
  keyFile = path.join(home, "keys.txt");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "ignore" });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** Staging folders init could have left: the current place and the one before this fix. */
const stagingLeft = () => [
  ...(existsSync(path.join(root, ".kubeforge", "tmp")) ? readdirSync(path.join(root, ".kubeforge", "tmp")) : []),
  ...readdirSync(path.join(root, "clusters")).filter((name) => name.startsWith(".")),
];

it("removes staging folders that killed runs left (under clusters/ they broke turbo), and names them", () => {
  // A pid that is surely gone: a process that has already ended.
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  const abandoned = path.join(root, ".kubeforge", "tmp", `init-old-${dead}-0123abcd`);
  const legacy = path.join(root, "clusters", ".init-old-89abcdef");
  for (const folder of [abandoned, legacy]) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "package.json"), '{"name":"@kubeforge/cluster-old"}\n');
  }
  const result = spawnSync(
    process.execPath,
    [bin, "init", "two", "--age-key-file", keyFile, ...FLAGS, "--skip-install"],
    {
      cwd: root,
      encoding: "utf8",
      env: env(),
    },
  );
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toContain(`removed .kubeforge/tmp/init-old-${dead}-0123abcd/, left behind by an interrupted`);
  expect(result.stderr).toContain("removed clusters/.init-old-89abcdef/, left behind by an interrupted kubeforge init");
  expect(stagingLeft()).toEqual([]);
  expect(existsSync(path.join(root, "clusters", "two", "cluster.ts"))).toBe(true);
});

it("on SIGINT during `pnpm install` leaves no staging folder and prints the next step; a re-run says it again", async () => {
  const { code, stderr } = await interruptAtMarker(["init", "three", "--age-key-file", keyFile, ...FLAGS], {
    cwd: root,
    env: env(),
    marker: marker(),
    atMarker: () => expect(readFileSync(marker(), "utf8")).toContain("install"),
  });
  expect(code).toBe(130);
  // Before the fix: no message at all (Node's default SIGINT action), exit by signal.
  expect(stderr).toMatch(/init stopped during `pnpm install`; clusters\/three\/ is complete but not registered/);
  expect(stderr).toContain("Next: run `pnpm install && kubeforge build three && kubeforge validate three`");
  expect(stagingLeft()).toEqual([]);
  expect(existsSync(path.join(root, "clusters", "three", "cluster.ts"))).toBe(true);
  expect(readFileSync(path.join(root, ".sops.yaml"), "utf8")).toContain("clusters/three/");

  const again = spawnSync(process.execPath, [bin, "init", "three", "--age-key-file", keyFile, ...FLAGS], {
    cwd: root,
    encoding: "utf8",
    env: env(),
  });
  expect(again.status).toBe(1);
  // Before the fix: only "clusters/three already exists …; pick another name, or edit clusters/three/cluster.ts".
  expect(again.stderr).toContain("clusters/three already exists but is not in pnpm-lock.yaml");
  expect(again.stderr).toContain("fix: run `pnpm install && kubeforge build three && kubeforge validate three`");
});
