import { z } from "zod";
import { version } from "./primitives.js";
import { talosPatchSchema } from "./talos-patches.js";

export const talosSchema = z
  .strictObject({
    version: version.describe("Talos version the machine configs target, e.g. v1.13.9."),
    schematic: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { message: "must be the 64-hex-digit Image Factory schematic id" })
      .default("376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba")
      .describe("Image Factory schematic id (the default is the vanilla image with no extensions)."),
    installerImage: z
      .string()
      .optional()
      .describe("Installer image; defaults to factory.talos.dev/installer/<schematic>:<version>."),
    installDisk: z.string().startsWith("/dev/").default("/dev/sda").describe("Default install disk of every node."),
    patches: z.array(talosPatchSchema).default([]).describe("Machine-config patches applied to every node, in order."),
    controlPlanePatches: z
      .array(talosPatchSchema)
      .default([])
      .describe("Patches applied to control-plane nodes, after the cluster-level ones."),
    workerPatches: z
      .array(talosPatchSchema)
      .default([])
      .describe("Patches applied to worker-only nodes, after the cluster-level ones."),
  })
  .describe("Talos Linux settings.");

export const kubernetesSchema = z
  .strictObject({
    version: version.describe("Kubernetes version, e.g. v1.34.2."),
  })
  .describe("Kubernetes settings.");

export type Talos = z.infer<typeof talosSchema>;
