import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fixturesDir, packageDir, repoRoot } from "../test/fixtures.js";

const bin = path.join(packageDir, "bin", "kubeforge-validate.mjs");
const run = (args: string[], cwd = fixturesDir) => execa(process.execPath, [bin, ...args], { cwd, reject: false });

describe("kubeforge-validate CLI", () => {
  it("prints help", async () => {
    const result = await run(["--help"]);
    expect(result.exitCode).toBe(0);
    // The few facts that matter, not a copy of the text (which changes with every wording fix).
    expect(result.stdout).toMatch(/^Usage:\n {2}kubeforge-validate \[options\] <cluster-dir>\.\.\./);
    expect(result.stdout).toContain("a folder of clusters (clusters/) validates each one");
    for (const option of [
      "--json",
      "--strict",
      "--no-kustomize",
      "--config <file>",
      "--live",
      "--context <name>",
      "--offline",
      "--no-charts",
      "--outdated",
      "--talosconfig <file>",
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toContain("Exit codes: 0 clean, 1 findings, 2 usage or internal error.");
  });

  it("exits 2 on usage errors", async () => {
    const none = await run([]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^kubeforge-validate: no cluster directory given/);
    const unknown = await run(["--frobnicate", "x"]);
    expect(unknown.exitCode).toBe(2);
    // node's own text ended `as in '-- "--frobnicate"` and advised passing the flag as a positional argument
    expect(unknown.stderr).toMatch(/^kubeforge-validate: unknown option --frobnicate — see the options below\n/);
    const typo = await run(["--ofline", "x"]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toMatch(/^kubeforge-validate: unknown option --ofline \(did you mean --offline\?\)/);
  });

  it("prints its version for --version and -v (was a usage error, exit 2)", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await run([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^kubeforge-validate \d+\.\d+\.\d+$/);
    }
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

  it("with --json, a usage error is JSON too", async () => {
    const result = await run(["--json", "--frobnicate", "x"]);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "E_USAGE" }, exitCode: 2 });
    expect(JSON.parse(result.stdout).error.message).toContain("--frobnicate");
  });

  it("validates each cluster of a folder of clusters, and a cluster named by its definition file", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-clusters-"));
    try {
      for (const name of ["alpha", "beta"]) {
        mkdirSync(path.join(root, "clusters", name, "flux"), { recursive: true });
        writeFileSync(
          path.join(root, "clusters", name, "flux", "config.yaml"),
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`,
        );
      }
      writeFileSync(path.join(root, "clusters", "beta", "cluster.yaml"), "name: [\n");
      const result = await run(["--json", "--no-kustomize", "clusters/"], root);
      const output = JSON.parse(result.stdout) as { reports: { target: string; findings: { rule: string }[] }[] };
      expect(output.reports.map((report) => report.target)).toEqual(["clusters/alpha", "clusters/beta"]);
      expect(output.reports[0]?.findings).toEqual([]);
      expect(output.reports[1]?.findings.map((finding) => finding.rule)).toEqual(["cluster-model"]);
      const byFile = await run(["--json", "--no-kustomize", "clusters/alpha/flux/config.yaml"], root);
      expect(byFile.exitCode).toBe(2);
      const byDefinition = await run(["--json", "--no-kustomize", "clusters/beta/cluster.yaml"], root);
      expect((JSON.parse(byDefinition.stdout) as { reports: { target: string }[] }).reports[0]?.target).toBe(
        "clusters/beta",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("reports a broken or missing cluster definition as a finding, never with a stack trace", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-definition-"));
    try {
      mkdirSync(path.join(root, "flux"));
      writeFileSync(
        path.join(root, "cluster.ts"),
        'import cluster from "./missing-definition.js";\nexport default cluster;\n',
      );
      const result = await run(["--no-kustomize", "."], root);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain("cluster-model");
      expect(result.stdout).toContain("missing-definition");
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
      const missing = await run(["--no-kustomize", "no-such/cluster.ts"], root);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("--json-file writes the JSON document, notChecked included, while stdout stays the human report", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "validate-home-"));
    try {
      const file = path.join(home, "report.json");
      // No age key anywhere: the homelab's encrypted Talos configs cannot be opened.
      const result = await execa(
        process.execPath,
        [bin, "--no-kustomize", "--no-charts", "--json-file", file, "clusters/homelab"],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home },
          extendEnv: false,
          reject: false,
        },
      );
      expect(result.stdout).toContain("kubeforge-validate clusters/homelab (cluster homelab)");
      expect(result.stdout).toContain("SOPS-encrypted Talos config was not checked");
      const body = JSON.parse(readFileSync(file, "utf8")) as {
        reports: { notChecked: { file: string; reason: string }[] }[];
        exitCode: number;
      };
      expect(body.exitCode).toBe(result.exitCode);
      expect(body.reports[0]?.notChecked).toContainEqual({
        file: "clusters/homelab/talos/generated/node-1.sops.yaml",
        reason: "no decryption available",
      });
      // Written whole through a temporary file, which is gone.
      expect(readdirSync(home).filter((name) => name.startsWith("report.json"))).toEqual(["report.json"]);
      // An exception that accepts the warning takes the files off the list too (they no longer fail --strict).
      const config = path.join(home, "validate.yaml");
      writeFileSync(
        config,
        `exceptions:\n  - rule: talos-schema\n    file: ${path.join(repoRoot, "clusters/homelab/talos")}\n    reason: checked elsewhere\n`,
      );
      const accepted = await execa(
        process.execPath,
        [bin, "--no-kustomize", "--no-charts", "--config", config, "--json-file", file, "clusters/homelab"],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home },
          extendEnv: false,
          reject: false,
        },
      );
      expect(accepted.stdout).not.toContain("SOPS-encrypted Talos config was not checked");
      const acceptedBody = JSON.parse(readFileSync(file, "utf8")) as {
        reports: { notChecked: unknown[]; suppressed: { file: string }[] }[];
      };
      expect(acceptedBody.reports[0]?.notChecked).toEqual([]);
      expect(acceptedBody.reports[0]?.suppressed.map((finding) => finding.file)).toContain(
        "clusters/homelab/talos/generated/node-1.sops.yaml",
      );
      // A run that stops writes its error there too.
      const stopped = await run(["--no-kustomize", "--json-file", file, "no-such-cluster"]);
      expect(stopped.exitCode).toBe(2);
      expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ error: { code: "E_READ" }, exitCode: 2 });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
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
