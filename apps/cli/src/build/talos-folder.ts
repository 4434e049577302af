// What build knows about a cluster's talos/ folder before it renders anything: whether the secrets bundle is there,
// which files in talos/generated/ build wrote, and which of those no node of the definition produces any more.
// Reads file names and plaintext YAML keys only (SOPS leaves keys in the clear): no age key is needed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, controlPlaneNodes } from "@kubeforge/config";
import { parse } from "yaml";
import { CliError } from "../errors.js";

/** The talosconfig build writes beside the machine configs (see @kubeforge/talos talosconfigFile). */
const TALOSCONFIG = "talosconfig.sops.yaml";
const SUFFIX = ".sops.yaml";

export interface TalosFolder {
  /** `talos/talsecret.sops.yaml`. */
  readonly bundle: string;
  readonly bundleExists: boolean;
  /** `talos/generated/`. */
  readonly generated: string;
  /** The `*.sops.yaml` files in talos/generated/ (absolute, sorted): configs built from the bundle. */
  readonly configs: readonly string[];
  /** Machine configs build wrote for a hostname the definition no longer has (absolute, sorted). */
  readonly orphans: readonly string[];
}

function listConfigs(generated: string): string[] {
  try {
    return readdirSync(generated, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(SUFFIX))
      .map((entry) => path.join(generated, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Whether `text` is a machine config as build writes it: SOPS-encrypted YAML whose first document has `machine`
 * and `sops` keys. Anything else (a file someone put there) is never treated as build's own and never removed.
 */
export function isEncryptedMachineConfig(text: string): boolean {
  const first = text.split(/^---[ \t]*$/m)[0] ?? "";
  try {
    const document = parse(first) as unknown;
    return (
      document !== null &&
      typeof document === "object" &&
      "machine" in document &&
      "sops" in document &&
      typeof (document as { sops: unknown }).sops === "object"
    );
  } catch {
    return false;
  }
}

/** The machine configs among `configs` for hostnames not in `hostnames` (pure but for reading each candidate). */
export function findOrphans(configs: readonly string[], hostnames: readonly string[]): string[] {
  const expected = new Set([...hostnames.map((hostname) => `${hostname}${SUFFIX}`), TALOSCONFIG]);
  return configs.filter(
    (file) => !expected.has(path.basename(file)) && isEncryptedMachineConfig(readFileSync(file, "utf8")),
  );
}

export function inspectTalosFolder(clusterDir: string, cluster: Cluster): TalosFolder {
  const bundle = path.join(clusterDir, "talos", "talsecret.sops.yaml");
  const generated = path.join(clusterDir, "talos", "generated");
  const configs = listConfigs(generated);
  const orphans = findOrphans(
    configs,
    cluster.nodes.map((node) => node.hostname),
  );
  return { bundle, bundleExists: existsSync(bundle), generated, configs, orphans };
}

const shown = (file: string, cwd: string) => path.relative(cwd, file) || file;

/**
 * Why build cannot go on when talos/generated/ holds configs but the bundle they were built from is gone: building
 * without it would leave those configs stale (and `bootstrap`/`talos apply` would apply them), and new secrets would
 * lock the running cluster out. The fix restores the bundle; it never creates new PKI.
 */
export function describeMissingBundle(
  folder: TalosFolder,
  cluster: Cluster,
  clusterDir: string,
  cwd: string,
): { message: string; hint: string } {
  const bundle = shown(folder.bundle, cwd);
  const names = folder.configs.map((file) => path.basename(file));
  // A control-plane config holds every secret of the bundle; the encrypted one in talos/generated/ will do.
  const source =
    controlPlaneNodes(cluster)
      .map((node) => path.join(folder.generated, `${node.hostname}${SUFFIX}`))
      .find((file) => folder.configs.includes(file)) ?? path.join(folder.generated, `<control-plane>${SUFFIX}`);
  const clusterArg = path.relative(cwd, clusterDir) || ".";
  return {
    message: `${bundle} is missing, but ${shown(folder.generated, cwd)}/ holds ${names.length} file${names.length === 1 ? "" : "s"} built from it (${names.join(", ")}); they cannot be rebuilt without it`,
    hint: [
      `restore it from git: \`git checkout -- ${bundle}\` (if it was deleted in a commit: \`git log -- ${bundle}\`, then \`git checkout <commit>^ -- ${bundle}\`) or from your backup;`,
      `if it is lost, rebuild it from a control-plane config: \`kubeforge talos gen secrets --cluster ${clusterArg} --from ${shown(source, cwd)}\`;`,
      "never `kubeforge talos gen secrets` without --from here: new PKI locks you out of the running cluster",
    ].join("\n       "),
  };
}

/** build's refusal: {@link describeMissingBundle}, before anything was staged. */
export function missingBundleError(folder: TalosFolder, cluster: Cluster, clusterDir: string, cwd: string): CliError {
  const { message, hint } = describeMissingBundle(folder, cluster, clusterDir, cwd);
  return new CliError("E_INPUT", `${message}, so nothing was written`, hint);
}
