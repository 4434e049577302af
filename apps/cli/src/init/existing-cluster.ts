// What to say when `kubeforge init <name>` finds clusters/<name>/ already there: init never touches an existing
// cluster, but one an interrupted init left half-made gets the exact next step instead of a bare refusal.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CliError } from "../errors.js";

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

/** The refusal for an existing clusters/<name>/, with the step that finishes it; undefined when there is none. */
export function existingClusterError(repoRoot: string, name: string): CliError | undefined {
  const dir = path.join(repoRoot, "clusters", name);
  if (!existsSync(dir)) return undefined;
  const refuse = (state: string, hint: string) =>
    new CliError("E_EXISTS", `clusters/${name} already exists${state}; init never touches an existing cluster`, hint);
  const hasRules = readIfExists(path.join(repoRoot, ".sops.yaml")).includes(`clusters/${name}/`);
  const registered = new RegExp(`^ {2}clusters/${name}:$`, "m").test(
    readIfExists(path.join(repoRoot, "pnpm-lock.yaml")),
  );
  const built = existsSync(path.join(dir, "flux"));
  if (!hasRules && !registered && !built)
    return refuse(
      " but .sops.yaml has no rules for it (an init was killed while writing)",
      `nothing uses it yet: remove it with \`rm -rf clusters/${name}\`, then run \`kubeforge init ${name} …\` again`,
    );
  if (!registered)
    return refuse(
      " but is not in pnpm-lock.yaml (init was interrupted before `pnpm install` finished, or ran with --skip-install)",
      `run \`pnpm install && kubeforge build ${name} && kubeforge validate ${name}\``,
    );
  if (!built)
    return refuse(
      " but was never built",
      `run \`kubeforge build ${name} && kubeforge validate ${name}\`, or edit clusters/${name}/cluster.ts first`,
    );
  return refuse("", `pick another name, or edit clusters/${name}/cluster.ts and run \`kubeforge build ${name}\``);
}
