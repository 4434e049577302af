import { existsSync } from "node:fs";
import path from "node:path";

/** The repository root (the folder with pnpm-workspace.yaml). */
export const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** `../shared` beside the repository: reference material and conformance vectors. */
export function sharedDir(...parts: string[]): string {
  const dir = path.resolve(repoRoot, "../shared");
  if (!existsSync(dir))
    throw new Error(`${dir} is missing: tests read conformance data from ../shared beside the repository`);
  return path.join(dir, ...parts);
}
