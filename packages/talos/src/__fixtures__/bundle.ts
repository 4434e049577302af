// One generated bundle shared by a test file (RSA-4096 generation is slow-ish).

import type { SecretsBundle } from "../secrets/bundle.js";
import { generateBundle } from "../secrets/generate-bundle.js";

let cached: Promise<SecretsBundle> | undefined;

export function testBundle(): Promise<SecretsBundle> {
  cached ??= generateBundle({ talosVersion: "v1.13.9" });
  return cached;
}
