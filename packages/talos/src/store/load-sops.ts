// The CLI's sealer: @kubeforge/sops with the cluster's age recipients; identities come from SOPS_AGE_KEY(_FILE).
import * as sops from "@kubeforge/sops";
import type { SecretSealer } from "./sealer.js";
import { createSopsSealer } from "./sops-sealer.js";

export function loadSopsSealer(recipients: readonly string[]): SecretSealer {
  return createSopsSealer({ sops, recipients });
}
