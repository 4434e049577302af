// Paths to the shared conformance vectors (`../shared` beside the repository root) and their manifest.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SopsFormat } from "../src/formats/index.js";

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(packageRoot, "../..");
export const vectorsDir = path.resolve(repoRoot, "../shared/conformance/sops");

export interface Vector {
  file: string;
  format: SopsFormat;
  data_key_hex: string;
  data_key_from: string;
  lastmodified: string;
  mac_status: string;
  mac_plain: string;
  sops_version: string;
  expected_plaintext_in: string;
  key_file: string;
}

export const vectors: Vector[] = JSON.parse(readFileSync(path.join(vectorsDir, "manifest.json"), "utf8"));

/** Vectors whose data key is wrapped for an age key we hold. */
export const ageVectors = vectors.filter((v) => v.data_key_from.startsWith("age"));

export function keyFileOf(vector: Vector): string {
  return path.join(vectorsDir, vector.key_file.split(" ")[0]!);
}

export function expectedOf(vector: Vector): { plaintext: unknown; mac_plain: string } {
  return JSON.parse(readFileSync(path.join(vectorsDir, vector.expected_plaintext_in), "utf8"));
}

export function readVector(vector: Vector): string {
  return readFileSync(path.join(vectorsDir, vector.file), "utf8");
}
