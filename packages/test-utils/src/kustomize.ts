import { execa } from "execa";
import { parseAllDocuments } from "yaml";

/** Runs the real `kubectl kustomize` on a folder and returns the objects it emits. */
export async function kustomizeBuild(folder: string): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await execa("kubectl", ["kustomize", folder]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((object): object is Record<string, unknown> => object !== null);
}
