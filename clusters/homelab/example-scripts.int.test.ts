// The example clusters (homelab, staging) are encrypted to the public demo key. Their package scripts are what
// `pnpm turbo build` runs for a new user, whose shell usually exports SOPS_AGE_KEY_FILE for their OWN key (a
// normal sops set-up, and `kubeforge init`'s default key source): the examples must still build and validate.
// Before the fix the scripts used the demo key only when SOPS_AGE_KEY_FILE was unset, and the quick start's
// `pnpm turbo build` failed on @kubeforge/cluster-homelab with "no age identity can decrypt".
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-example-scripts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// a user's own key, which opens none of the example files
const ownKey = path.join(scratch, "own.agekey");
execFileSync("age-keygen", ["-o", ownKey], { stdio: "ignore" });

/** Runs a package script of an example cluster as pnpm would (sh -c, node_modules/.bin on PATH), plus `extra`. */
function runScript(cluster: string, script: "build" | "validate", extra: string) {
  const dir = path.join(here, "..", cluster);
  const scripts = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).scripts as Record<string, string>;
  const { SOPS_AGE_KEY: _key, ...env } = process.env;
  return spawnSync("sh", ["-c", `${scripts[script]} ${extra}`], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...env,
      SOPS_AGE_KEY_FILE: ownKey,
      PATH: `${path.join(dir, "node_modules", ".bin")}${path.delimiter}${env.PATH ?? ""}`,
    },
  });
}

describe.each(["homelab", "staging"])(
  "example cluster %s with the user's own SOPS_AGE_KEY_FILE exported",
  (cluster) => {
    it("builds (checked without writing: --check) with the demo key its files are encrypted to", () => {
      const result = runScript(cluster, "build", "--check");
      expect(result.stderr).not.toMatch(/no age identity/);
      expect(result.status, result.stderr).toBe(0);
    });

    it("validates offline with the demo key, the Talos configs included", () => {
      const result = runScript(cluster, "validate", "--json");
      expect(result.stderr).not.toMatch(/no age identity/);
      const { reports } = JSON.parse(result.stdout) as { reports: Array<{ notChecked: unknown[] }> };
      expect(reports.length).toBeGreaterThan(0);
      expect(reports.flatMap((report) => report.notChecked)).toEqual([]);
      expect(result.status, result.stderr).toBe(0);
    });
  },
);
