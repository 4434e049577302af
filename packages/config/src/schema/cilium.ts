import { z } from "zod";

export const ciliumSchema = z
  .strictObject({
    kubeProxyReplacement: z
      .boolean()
      .default(true)
      .describe("Cilium replaces kube-proxy (Talos then runs without kube-proxy)."),
    hubble: z.boolean().default(true).describe("Enable Hubble relay and UI."),
  })
  .describe("Cilium CNI options.");

export type Cilium = z.infer<typeof ciliumSchema>;
