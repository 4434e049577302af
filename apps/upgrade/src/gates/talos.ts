// Talos-side gate: the node's machined reports the target tag (talosctl is enough here: one read-only call).

import { sameVersion } from "@kubeforge/config";
import type { Talosctl } from "../talosctl.js";
import type { GateResult } from "./gate.js";

export async function checkTalosVersion(options: {
  talosctl: Talosctl;
  address: string;
  hostname: string;
  version: string;
  timeoutMs: number;
}): Promise<GateResult> {
  const tag = await options.talosctl.version(options.address, { timeoutMs: options.timeoutMs });
  if (sameVersion(tag, options.version)) return { ok: true, detail: `${options.hostname} runs Talos ${tag}` };
  return { ok: false, detail: `${options.hostname} runs Talos ${tag}, waiting for ${options.version}` };
}
