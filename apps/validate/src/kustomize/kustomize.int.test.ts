// validate stays offline and inside the repository: no remote kustomize resources are fetched, no Flux path
// leaves the source root, kustomize keeps its load restrictions and never sees the age key.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateTree } from "../validate-tree.js";
import { type KustomizeBuild, kubectlKustomize, kustomizeEnv } from "./kustomize-build.js";
import { looksRemote } from "./remote-resources.js";

let root: string;

function write(relative: string, text: string, mode?: number): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text, mode === undefined ? undefined : { mode });
}

function fluxKustomization(name: string, fluxPath: string): string {
  return [
    "apiVersion: kustomize.toolkit.fluxcd.io/v1",
    "kind: Kustomization",
    "metadata:",
    `  name: ${name}`,
    "  namespace: flux-system",
    "spec:",
    "  interval: 10m",
    `  path: ${fluxPath}`,
    "  prune: true",
    "  sourceRef:",
    "    kind: GitRepository",
    "    name: flux-system",
    "",
  ].join("\n");
}

const GIT_SOURCE =
  "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: ssh://git@192.168.1.10/x.git\n  ref:\n    branch: main\n";

const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  namespace: default\n";

function validate(kustomize: KustomizeBuild) {
  return validateTree({
    dir: path.join(root, "clusters", "x"),
    cwd: root,
    sourceRoot: root,
    kustomize,
    loadModel: false,
    decrypt: false,
  });
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-offline-"));
  write("clusters/x/flux/source.yaml", GIT_SOURCE);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("remote kustomize resources", () => {
  it("are findings naming the kustomization file and the resource, and that path is never built", async () => {
    write("clusters/x/flux/apps.yaml", fluxKustomization("apps", "./clusters/x/flux/apps"));
    write(
      "clusters/x/flux/apps/kustomization.yaml",
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - local.yaml\n  - https://github.com/org/repo/releases/download/v1.0.0/install.yaml\n  - base\n",
    );
    write("clusters/x/flux/apps/local.yaml", CONFIG_MAP);
    write(
      "clusters/x/flux/apps/base/kustomization.yaml",
      "resources:\n  - github.com/org/repo//deploy?ref=v1.2.3\npatches:\n  - path: http://example.com/patch.yaml\n",
    );
    const built: string[] = [];
    const report = await validate(async (dir) => {
      built.push(dir);
      return { ok: true, output: "" };
    });
    const found = report.findings
      .filter((finding) => finding.rule === "flux-kustomize-build")
      .map(({ file, path: at, line, message }) => ({ file, path: at, line, resource: message.split(":")[0] }));
    expect(found).toEqual([
      {
        file: "clusters/x/flux/apps/base/kustomization.yaml",
        path: "resources[0]",
        line: 2,
        resource: "remote resource github.com/org/repo//deploy?ref=v1.2.3",
      },
      {
        file: "clusters/x/flux/apps/base/kustomization.yaml",
        path: "patches[0].path",
        line: 4,
        resource: "remote resource http",
      },
      {
        file: "clusters/x/flux/apps/kustomization.yaml",
        path: "resources[1]",
        line: 5,
        resource: "remote resource https",
      },
    ]);
    expect(built).toEqual([]);
  });

  it("tells remote targets from local paths", () => {
    for (const remote of [
      "https://example.com/x.yaml",
      "git@github.com:org/repo.git",
      "github.com/org/repo//deploy?ref=v1",
      "ssh://git@example.com/org/repo",
      "gitlab.com/org/repo/path",
      "org/repo.git",
    ]) {
      expect(looksRemote(remote), remote).toBe(true);
    }
    for (const local of ["base", "../base", "./apps/web.yaml", "deploy.yaml", "overlays/prod"]) {
      expect(looksRemote(local), local).toBe(false);
    }
  });
});

describe("Flux spec.path", () => {
  it("is a finding when it leaves the source root, and such a path is never built", async () => {
    write("clusters/x/flux/escape.yaml", fluxKustomization("escape", "../../.."));
    write("clusters/x/flux/inside.yaml", fluxKustomization("inside", "/clusters/x/flux/apps"));
    write("clusters/x/flux/apps/kustomization.yaml", "resources:\n  - local.yaml\n");
    write("clusters/x/flux/apps/local.yaml", CONFIG_MAP);
    const built: string[] = [];
    const report = await validate(async (dir) => {
      built.push(dir);
      return { ok: true, output: "" };
    });
    const found = report.findings.filter((finding) => finding.rule === "flux-kustomize-build");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "clusters/x/flux/escape.yaml", path: "spec.path", line: 8 });
    expect(found[0]?.message).toContain("leaves the Git source root");
    // A leading "/" is the source root (as Flux joins it), not the machine's root.
    expect(built).toEqual([path.join(root, "clusters/x/flux/apps")]);
  });
});

describe("kubectl kustomize", () => {
  it("keeps kustomize's load restrictions: a file outside the kustomization root fails the build", async () => {
    write("clusters/x/flux/apps.yaml", fluxKustomization("apps", "./clusters/x/flux/apps"));
    write("clusters/x/flux/outside.yaml", CONFIG_MAP);
    write("clusters/x/flux/apps/kustomization.yaml", "resources:\n  - ../outside.yaml\n");
    const report = await validate(kubectlKustomize());
    const found = report.findings.filter((finding) => finding.rule === "flux-kustomize-build");
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/kustomize build of \.\/clusters\/x\/flux\/apps fails: .*not in or below/);
  });

  it("runs without the age key in its environment and without LoadRestrictionsNone", async () => {
    const log = path.join(root, "kubectl.log");
    write("fake-kubectl", `#!/bin/sh\n{ echo "ARGS $*"; env; } > '${log}'\necho 'apiVersion: v1'\n`, 0o755);
    const build = kubectlKustomize({
      kubectl: path.join(root, "fake-kubectl"),
      env: {
        ...process.env,
        SOPS_AGE_KEY: "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
        SOPS_AGE_KEY_CMD: "cat /secret/key",
        KEEP_ME: "yes",
      },
    });
    expect(await build(root)).toEqual({ ok: true, output: "apiVersion: v1" });
    const seen = readFileSync(log, "utf8");
    expect(seen).toContain(`ARGS kustomize ${root}`);
    expect(seen).not.toContain("LoadRestrictionsNone");
    expect(seen).not.toContain("SOPS_AGE_KEY");
    expect(seen).not.toContain("AGE-SECRET-KEY");
    expect(seen).toContain("KEEP_ME=yes");
  });

  it("closes the network paths kustomize could take", () => {
    const env = kustomizeEnv({ PATH: "/usr/bin", https_proxy: "http://proxy.example:3128", SOPS_AGE_KEY_FILE: "/k" });
    expect(env).toMatchObject({ PATH: "/usr/bin", HTTPS_PROXY: "http://127.0.0.1:9", GIT_ALLOW_PROTOCOL: "file" });
    expect(env.https_proxy).toBeUndefined();
    expect(env.SOPS_AGE_KEY_FILE).toBeUndefined();
  });
});
