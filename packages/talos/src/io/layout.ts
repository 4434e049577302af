// Where a cluster's Talos files live: clusters/<name>/talos/ beside cluster.ts.
import path from "node:path";

export interface TalosLayout {
  /** `talos/talsecret.sops.yaml`: the SOPS-encrypted secrets bundle. */
  readonly bundle: string;
  /** `talos/generated/`: SOPS-encrypted machine configs and talosconfig, committed. */
  readonly generated: string;
  /** `talos/out/`: decrypted copies, gitignored. */
  readonly plaintext: string;
}

export function talosLayout(clusterFile: string): TalosLayout {
  const root = path.join(path.dirname(path.resolve(clusterFile)), "talos");
  return {
    bundle: path.join(root, "talsecret.sops.yaml"),
    generated: path.join(root, "generated"),
    plaintext: path.join(root, "out"),
  };
}

export function machineConfigFile(directory: string, hostname: string): string {
  return path.join(directory, `${hostname}.sops.yaml`);
}

export function talosconfigFile(directory: string): string {
  return path.join(directory, "talosconfig.sops.yaml");
}
