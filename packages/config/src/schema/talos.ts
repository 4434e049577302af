import { z } from "zod";
import { version } from "./primitives.js";

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
  })
  .describe("Talos Linux settings.");

export const kubernetesSchema = z
  .strictObject({
    version: version.describe("Kubernetes version, e.g. v1.34.2."),
  })
  .describe("Kubernetes settings.");

export type Talos = z.infer<typeof talosSchema>;
