// The recipients check `build` runs before writing anything: the same rule `kubeforge validate` runs.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { CliError } from "./errors.js";

/** YAML/JSON files of a cluster folder that may be SOPS files (flux/ holds build copies; dot folders are state). */
export async function listEncryptable(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "flux") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listEncryptable(full)));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Throws E_RECIPIENTS listing every encrypted file of the cluster not encrypted to exactly its recipients. */
export async function assertClusterRecipients(options: {
  clusterDir: string;
  definitionFile: string;
  cluster: Cluster;
  cwd?: string;
}): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  const files = await Promise.all(
    (await listEncryptable(options.clusterDir)).map(async (file) => ({
      path: path.relative(cwd, file),
      content: await readFile(file, "utf8"),
    })),
  );
  const { RULES } = await import("@kubeforge/validate");
  const rule = RULES.find((candidate) => candidate.id === "sops-recipients");
  if (!rule) return;
  // The rule reads `files`, `cluster`, and `sourceRoot`/`clusterDir` (to recognise a copy of an example's Talos
  // bundle); the other context fields are for manifest rules.
  const { findRepositoryRoot } = await import("@kubeforge/config");
  const context = {
    files,
    cluster: options.cluster,
    documents: [],
    sourceRoot: findRepositoryRoot(options.clusterDir) ?? cwd,
    clusterDir: options.clusterDir,
  } as unknown as Parameters<typeof rule.check>[0];
  const findings = (await rule.check(context)).map((finding) =>
    finding.file === "cluster.ts" ? { ...finding, file: path.relative(cwd, options.definitionFile) } : finding,
  );
  if (findings.length === 0) return;
  const lines = findings.map((f) => `  ${f.file}: ${f.path}: ${f.message}\n    fix: ${f.hint}`);
  const folder = path.relative(cwd, options.clusterDir) || ".";
  throw new CliError(
    "E_RECIPIENTS",
    `${findings.length} problem${findings.length === 1 ? "" : "s"} with the SOPS recipients of cluster ${options.cluster.name} (nothing was written):\n${lines.join("\n")}\n` +
      `  once .sops.yaml names the same recipients as sops.ageRecipients, re-wrap every file at once: kubeforge secrets updatekeys ${folder}`,
  );
}
