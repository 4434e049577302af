import { z } from "zod";
import { diskSchema } from "./disks.js";
import { dns1123Label, version, versionLike } from "./primitives.js";
import { schematicSchema } from "./schematic.js";
import { talosPatchSchema } from "./talos-patches.js";

/** Talos API roles a Kubernetes service account may be granted (talos.dev/v1alpha1 ServiceAccount). */
export const TALOS_API_ROLES = ["os:reader", "os:operator", "os:admin", "os:etcd:backup", "os:impersonator"] as const;

export const talosApiAccessSchema = z
  .strictObject({
    roles: z
      .array(z.enum(TALOS_API_ROLES))
      .min(1)
      .describe("Roles a Talos ServiceAccount in these namespaces may request, e.g. os:reader, os:etcd:backup."),
    namespaces: z.array(dns1123Label).min(1).describe("Kubernetes namespaces allowed to create Talos ServiceAccounts."),
  })
  .describe("Talos API access from inside Kubernetes (machine.features.kubernetesTalosAPIAccess).");

export const talosSchema = z
  .strictObject({
    version: version.describe("Talos version the machine configs target, e.g. v1.13.9."),
    schematic: schematicSchema.prefault({}),
    installerImage: z
      .string()
      .optional()
      .describe(
        "Installer image for every node; defaults to the Image Factory installer of the (node's) schematic and version.",
      ),
    installDisk: diskSchema
      .default("/dev/sda")
      .describe("Default install disk of every node: a /dev path or a selector (size, model, serial, wwid, type)."),
    kubernetesTalosAPIAccess: talosApiAccessSchema.optional(),
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
    version: versionLike("v1.35.2").describe("Kubernetes version, e.g. v1.35.2."),
  })
  .describe("Kubernetes settings.");

export type Talos = z.infer<typeof talosSchema>;
export type TalosApiAccess = z.infer<typeof talosApiAccessSchema>;
