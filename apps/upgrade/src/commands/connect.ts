// CLI plumbing shared by the commands: find the definition, read credentials, build the clients.
import { readFile } from "node:fs/promises";
import {
  type Cluster,
  controlPlaneNodes,
  findDefinition,
  loadCluster,
  RELEASES,
  type ReleaseTable,
  releaseTableSchema,
} from "@kubeforge/config";
import { UpgradeError } from "../errors.js";
import type { EtcdCredentials } from "../gates/etcd.js";
import type { GateClients } from "../gates/index.js";
import { createKubeClient } from "../gates/nodes.js";
import { createTalosctl } from "../talosctl.js";
import { issueEtcdCredentials, readClusterBundle, writeRunTalosconfig } from "./credentials.js";
import { parseEndpoints, UsageError } from "./flags.js";

export interface ConnectFlags {
  readonly talosctl?: string;
  readonly talosconfig?: string;
  readonly kubeconfig?: string;
  readonly "kube-context"?: string;
  readonly "etcd-endpoints"?: string;
  readonly "etcd-ca"?: string;
  readonly "etcd-cert"?: string;
  readonly "etcd-key"?: string;
}

/**
 * `homelab` → clusters/homelab/cluster.ts of the repository around `cwd`; a folder → the definition in it; a file is
 * used as is. The same rules as `kubeforge --cluster` (findDefinition), so every CLI names a bad value the same way.
 */
export function resolveClusterFile(value: string | undefined, cwd: string = process.cwd()): string {
  return findDefinition(value, { cwd });
}

export async function loadDefinition(
  value: string | undefined,
): Promise<{ cluster: Cluster; file: string; warnings: string[] }> {
  const file = resolveClusterFile(value);
  const loaded = await loadCluster(file);
  return { cluster: loaded.cluster, file, warnings: loaded.warnings.map((issue) => `${issue.path}: ${issue.message}`) };
}

export async function loadReleases(file: string | undefined): Promise<ReleaseTable> {
  if (!file) return RELEASES;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UpgradeError("E_PLAN", `${file}: ${(error as Error).message}`, { hint: "pass a JSON release table" });
  }
  const parsed = releaseTableSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UpgradeError("E_PLAN", `${file}: ${issue?.path.join(".")}: ${issue?.message}`, {
      hint: "see ReleaseTable in the README",
    });
  }
  return parsed.data;
}

/** Reads PEM client credentials given as files (--etcd-ca/--etcd-cert/--etcd-key); undefined when none is given. */
async function readEtcdCredentialFiles(flags: ConnectFlags): Promise<EtcdCredentials | undefined> {
  const files = { ca: flags["etcd-ca"], cert: flags["etcd-cert"], key: flags["etcd-key"] };
  const given = Object.values(files).filter(Boolean).length;
  if (given === 0) return undefined;
  if (given < 3) {
    const missing = Object.entries(files).filter(([, file]) => !file);
    throw new UpgradeError(
      "E_CONNECT",
      `incomplete etcd client credentials (${missing.map(([name]) => `--etcd-${name}`).join(", ")} missing)`,
      {
        hint: "pass all of --etcd-ca, --etcd-cert and --etcd-key, or none to issue a certificate from the cluster's secrets bundle",
      },
    );
  }
  const read = async (file: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      throw new UpgradeError("E_CONNECT", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
    }
  };
  const credentials = {
    ca: await read(files.ca as string),
    cert: await read(files.cert as string),
    key: await read(files.key as string),
  };
  const pem = {
    ca: /-----BEGIN CERTIFICATE-----/,
    cert: /-----BEGIN CERTIFICATE-----/,
    key: /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  };
  for (const name of ["ca", "cert", "key"] as const) {
    if (!pem[name].test(credentials[name])) {
      throw new UsageError(
        `--etcd-${name} ${files[name]}: not a PEM ${name === "key" ? "private key" : "certificate"} (no "-----BEGIN ${name === "key" ? "… PRIVATE KEY" : "CERTIFICATE"}-----" line)`,
      );
    }
  }
  return credentials;
}

export interface Connection {
  readonly clients: GateClients;
  /** Removes the temporary talosconfig, if one was written. */
  dispose(): Promise<void>;
}

/**
 * Builds the clients. Kubernetes first (fails fast without a kubeconfig); etcd credentials and the talosconfig
 * come from flags, or else from the cluster's SOPS bundle through @kubeforge/talos.
 */
export async function connect(cluster: Cluster, clusterFile: string, flags: ConnectFlags): Promise<Connection> {
  const endpoints =
    parseEndpoints(flags["etcd-endpoints"]) ??
    controlPlaneNodes(cluster).map(
      (node) => `https://${node.address.includes(":") ? `[${node.address}]` : node.address}:2379`,
    );
  const kube = createKubeClient({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags["kube-context"] ? { context: flags["kube-context"] } : {}),
  });
  let credentials = await readEtcdCredentialFiles(flags);
  let talosconfig = flags.talosconfig;
  let dispose = async () => {};
  if (!credentials || (!talosconfig && !process.env.TALOSCONFIG)) {
    const bundle = await readClusterBundle(cluster, clusterFile);
    credentials ??= await issueEtcdCredentials(bundle);
    if (!talosconfig && !process.env.TALOSCONFIG) {
      const written = await writeRunTalosconfig(cluster, bundle);
      talosconfig = written.file;
      dispose = written.dispose;
    }
  }
  return {
    clients: {
      talosctl: createTalosctl({
        ...(flags.talosctl ? { bin: flags.talosctl } : {}),
        ...(talosconfig ? { talosconfig } : {}),
      }),
      kube,
      etcd: { endpoints, credentials },
    },
    dispose,
  };
}
