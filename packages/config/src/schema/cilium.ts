import { z } from "zod";

export const ciliumSchema = z
  .strictObject({
    kubeProxyReplacement: z
      .boolean()
      .default(true)
      .describe("Cilium replaces kube-proxy (Talos then runs without kube-proxy)."),
    hubble: z.boolean().default(true).describe("Enable Hubble relay and UI."),
    operatorReplicas: z.number().int().min(1).max(3).default(2).describe("Cilium operator replicas."),
  })
  .describe("Cilium CNI options.");

export type Cilium = z.infer<typeof ciliumSchema>;
