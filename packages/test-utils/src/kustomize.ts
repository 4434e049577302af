import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { envWithoutSecrets } from "./child-env.js";

/** Runs the real `kubectl kustomize` on a folder and returns the objects it emits; no secret env reaches it. */
export async function kustomizeBuild(folder: string): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await execa("kubectl", ["kustomize", folder], { env: envWithoutSecrets(), extendEnv: false });
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((object): object is Record<string, unknown> => object !== null);
}
