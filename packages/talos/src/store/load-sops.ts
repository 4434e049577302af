// The CLI's sealer: @kubeforge/sops, loaded only when something is actually encrypted or decrypted.
import { TalosError } from "../errors.js";
import type { SecretSealer } from "./sealer.js";
import { createSopsSealer, type SopsApi } from "./sops-sealer.js";

async function importSops(): Promise<SopsApi> {
  const specifier = "@kubeforge/sops";
  try {
    return (await import(specifier)) as SopsApi;
  } catch (cause) {
    throw new TalosError(
      "E_SOPS_FAILED",
      [{ path: "", message: "@kubeforge/sops is not available", hint: "install it beside @kubeforge/talos" }],
      { cause },
    );
  }
}

export function loadSopsSealer(recipients: readonly string[]): SecretSealer {
  return createSopsSealer({ sops: importSops, recipients });
}
