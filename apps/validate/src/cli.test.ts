import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fixturesDir, packageDir } from "../test/fixtures.js";

const bin = path.join(packageDir, "bin", "kubeforge-validate.mjs");
const run = (args: string[], cwd = fixturesDir) => execa(process.execPath, [bin, ...args], { cwd, reject: false });

describe("kubeforge-validate CLI", () => {
  it("prints help", async () => {
    const result = await run(["--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "Usage:
        kubeforge-validate [options] <cluster-dir>...   validate clusters/<name> (flux/, talos/, cluster.ts) offline
        kubeforge-validate doctor [options]            node, pod, event and Flux health of the current cluster

      Options:
        --json                 machine-readable output
        --strict               warnings fail the run too
        --no-kustomize         skip the \`kubectl kustomize\` build of Flux Kustomization paths
        --config <file>        validate.yaml with crds and exceptions (default: <cluster-dir>/validate.yaml)
        --source-root <dir>    folder Flux paths are relative to (default: inferred from the tree)
        --live                 also report drift and Flux objects not Ready in the current cluster
        --kubeconfig <file>    kubeconfig for --live and doctor (default: $KUBECONFIG, ~/.kube/config)
        --context <name>       kubeconfig context (default: the current one)
        --talosconfig <file>   doctor: also check Talos services and etcd members via talosctl (default: $TALOSCONFIG)
        -h, --help             show this help

      Exit codes: 0 clean, 1 findings, 2 usage or internal error."
    `);
  });

  it("exits 2 on usage errors", async () => {
    const none = await run([]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^kubeforge-validate: no cluster directory given/);
    const unknown = await run(["--frobnicate", "x"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
  });

  it("exits 2 with a clear message, not an internal error, for a cluster folder that does not exist", async () => {
    const result = await run(["--no-kustomize", "no-such-cluster"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "kubeforge-validate: no-such-cluster: no such directory — pass a cluster folder, e.g. clusters/homelab",
    );
  });

  it("exits 2 with a clear message for a bad validate.yaml", async () => {
    const result = await run(["--no-kustomize", "--config", "missing.yaml", "image-pinned"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^kubeforge-validate: cannot read .*missing\.yaml/);
    expect(result.stderr).not.toContain("internal error");
  });

  it("prints a report grouped by file and exits 1 on findings", async () => {
    const result = await run(["--no-kustomize", "image-pinned"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatchInlineSnapshot(`
      "kubeforge-validate image-pinned
        1 object in 1 file
        schemas: Kubernetes v1.34.0 + bundled Flux/prometheus-operator CRDs + CRDs in the tree
        Flux paths built with: skipped

      image-pinned/web.yaml
        17:   error   image-pinned  Deployment default/web › spec.template.spec.initContainers[0].image: image "registry.local:5000/web-migrate" has no tag, so it means latest
              → pin a released version tag (e.g. nginx:1.27.3) or a digest (@sha256:…)
        23:   error   image-pinned  Deployment default/web › spec.template.spec.containers[0].image: image "nginx:latest" uses the latest tag
              → pin a released version tag (e.g. nginx:1.27.3) or a digest (@sha256:…)

      2 errors, 0 warnings"
    `);
  });

  it("with --json, a run that stops (exit 2) still writes a JSON error on stdout", async () => {
    const result = await run(["--json", "--no-kustomize", "no-such-cluster"]);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: "E_READ",
        message: "no-such-cluster: no such directory",
        hint: "pass a cluster folder, e.g. clusters/homelab",
      },
      exitCode: 2,
    });
  });

  it("writes JSON for tools; warnings only fail with --strict", async () => {
    const result = await run(["--no-kustomize", "--json", "unknown-kind"]);
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout) as {
      exitCode: number;
      reports: { findings: { rule: string; line: number }[] }[];
    };
    expect(output.exitCode).toBe(0);
    expect(output.reports[0]?.findings).toMatchObject([{ rule: "unknown-kind", severity: "warning", line: 2 }]);
    const strict = await run(["--no-kustomize", "--strict", "unknown-kind"]);
    expect(strict.exitCode).toBe(1);
  });
});
