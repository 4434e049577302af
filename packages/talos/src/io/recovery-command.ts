// The recovery commands that hints print, runnable as printed from where the user is: `--cluster` names the cluster
// folder (kubeforge-talos alone only finds ./cluster.ts) and paths are relative to the current folder. Called through
// `kubeforge talos`, the output's `kubeforge-talos` becomes `kubeforge talos`, which takes the same arguments.
import path from "node:path";

/** The folder of the cluster whose bundle is `<folder>/talos/talsecret.sops.yaml`, as `--cluster` takes it from `cwd`. */
export function clusterArgOf(bundleFile: string, cwd = process.cwd()): string {
  return path.relative(cwd, path.dirname(path.dirname(path.resolve(bundleFile)))) || ".";
}

/**
 * `kubeforge-talos gen secrets --cluster <folder> --from <file>`: the bundle at `bundleFile` rebuilt from a file that
 * holds its keys. An absolute `from` (which may end in a placeholder such as `<control-plane>.sops.yaml`) is shown
 * relative to `cwd`; a relative one is a placeholder the user fills in and is kept as given.
 */
export function recoverBundleCommand(bundleFile: string, from: string, cwd = process.cwd()): string {
  const shown = path.isAbsolute(from) ? path.relative(cwd, from) || from : from;
  return `kubeforge-talos gen secrets --cluster ${clusterArgOf(bundleFile, cwd)} --from ${shown}`;
}
