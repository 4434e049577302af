// Writes a new cluster folder: template files, Talos PKI and the Git deploy key, all in a staging folder (in the
// repository's gitignored .kubeforge/tmp/, never under clusters/) that is renamed into place only when everything
// succeeded; then the cluster's rules go into .sops.yaml. SIGINT/SIGTERM/SIGHUP while staging remove the staging
// folder; during the final rename + .sops.yaml write they wait until both are done.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AGE_KEY_POINTER } from "../cluster-args.js";
import { guardInterrupts } from "../interrupts.js";
import { removeEmptyStagingRoot, removeStagingSync, stagingFolder } from "../staging.js";
import type { AgeKey } from "./age-key.js";
import { existingClusterError } from "./existing-cluster.js";
import { addClusterCreationRules } from "./sops-rules.js";
import {
  clusterInput,
  type InitValues,
  renderClusterTs,
  renderPackageJson,
  renderReadme,
  TSCONFIG,
} from "./template.js";

export const DEPLOY_KEY_FILE = "git-deploy-key.sops.yaml";

export interface CreateClusterOptions {
  readonly repoRoot: string;
  readonly values: InitValues;
  readonly key: AgeKey;
  /** known_hosts text for the Git host (ssh:// URLs). */
  readonly knownHosts?: string;
}

export interface CreatedCluster {
  readonly dir: string;
  readonly files: string[];
  /** Public half of the deploy key, for the Git host; undefined for https:// URLs. */
  readonly deployKey?: string;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/**
 * Checks init's values as the cluster definition they become, before any key exists: invalid values must not leave
 * a new age key file behind. The recipient is a stand-in (a well-formed public key whose private key was discarded); the real one replaces it.
 */
export async function checkValues(values: Omit<InitValues, "ageRecipient">): Promise<void> {
  const { resolveCluster } = await import("@kubeforge/config");
  const placeholder = "age1w9dwju4l85qmpxpc7wg032xf7n375s69sa3h4w8vfkg6ykadqadq8xyqur";
  resolveCluster(clusterInput({ ...values, ageRecipient: placeholder }), `clusters/${values.name}/cluster.ts`);
}

export async function createCluster(options: CreateClusterOptions): Promise<CreatedCluster> {
  const { repoRoot, values, key } = options;
  const dir = path.join(repoRoot, "clusters", values.name);
  const exists = existingClusterError(repoRoot, values.name);
  if (exists) throw exists;
  // The whole definition is checked before anything is written (versions included).
  const { resolveCluster } = await import("@kubeforge/config");
  resolveCluster(clusterInput(values), `clusters/${values.name}/cluster.ts`);
  // .sops.yaml is read and rewritten in memory first, so a broken one stops init before anything is written.
  const sopsConfig = path.join(repoRoot, ".sops.yaml");
  const current = existsSync(sopsConfig) ? await readFile(sopsConfig, "utf8") : undefined;
  const nextSopsConfig = addClusterCreationRules(current, {
    clusterPath: `clusters/${values.name}`,
    recipients: [key.recipient],
  });

  const staging = stagingFolder(repoRoot, `init-${values.name}`);
  const guard = guardInterrupts({
    cleanup: () => removeStagingSync(staging),
    message: ({ signal, held }) =>
      held
        ? `\n${signal}: init finished writing clusters/${values.name}/ and its .sops.yaml rules first; next: \`pnpm install && kubeforge build ${values.name}\`\n`
        : `\n${signal}: init stopped; nothing was written (clusters/${values.name}/ does not exist)\n`,
  });
  const files: string[] = [];
  const put = async (relative: string, text: string) => {
    await mkdir(path.dirname(path.join(staging, relative)), { recursive: true });
    await writeFile(path.join(staging, relative), text);
    files.push(relative);
  };
  let deployKey: string | undefined;
  try {
    await put("cluster.ts", renderClusterTs(values));
    await put("package.json", renderPackageJson(values.name));
    await put("tsconfig.json", TSCONFIG);
    await mkdir(path.join(staging, path.dirname(AGE_KEY_POINTER)), { recursive: true });
    await writeFile(path.join(staging, AGE_KEY_POINTER), `${key.file}\n`); // gitignored: a path, never the key

    const sops = await import("@kubeforge/sops");
    const talos = await import("@kubeforge/talos");
    const recipients = [key.recipient];
    const sealer = talos.createSopsSealer({ sops, recipients });
    const layout = talos.talosLayout(path.join(staging, "cluster.ts"));
    await mkdir(path.dirname(layout.bundle), { recursive: true });
    await talos.createBundleFile({
      file: layout.bundle,
      bundle: await talos.generateBundle({ talosVersion: values.talosVersion }),
      sealer,
    });
    files.push("talos/talsecret.sops.yaml");

    const { generateDeployKey, renderDeployKeySecret } = await import("./deploy-key.js");
    if (values.gitUrl.startsWith("ssh://")) {
      const generated = generateDeployKey(`flux-${values.name}`);
      const secret = renderDeployKeySecret(generated, options.knownHosts ?? "");
      await put(
        DEPLOY_KEY_FILE,
        await sops.encryptText(secret, {
          format: "yaml",
          recipients,
          encryptedRegex: "^(data|stringData)$",
          yamlIndent: 2,
        }),
      );
      deployKey = generated.publicKey;
    }
    await put("README.md", renderReadme(values, deployKey ? DEPLOY_KEY_FILE : undefined));
    await guard.hold(async () => {
      await rename(staging, dir);
      await writeAtomic(sopsConfig, nextSopsConfig);
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    guard.release();
    await removeEmptyStagingRoot(staging);
  }
  return { dir, files, ...(deployKey ? { deployKey } : {}) };
}
