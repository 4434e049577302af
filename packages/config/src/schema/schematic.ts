// The Image Factory schematic: which system extensions, kernel arguments and overlay the Talos image carries.
// Its id is computed offline (see ../schematic-id.ts), so the installer image follows the model.
import { z } from "zod";

export const SCHEMATIC_ID = /^[0-9a-f]{64}$/;

export const extensionName = z.string().regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/, {
  message: "must be an official extension name such as siderolabs/iscsi-tools",
});

export const kernelArg = z
  .string()
  .regex(/^[^\s"']+$/, { message: "must be one kernel argument without spaces or quotes, e.g. net.ifnames=0" });

export const overlaySchema = z
  .strictObject({
    image: z.string().min(1).describe("Overlay image, e.g. siderolabs/sbc-raspberrypi."),
    name: z.string().min(1).describe("Overlay name, e.g. rpi_generic."),
    options: z.record(z.string(), z.unknown()).optional().describe("Overlay options (schematic `overlay.options`)."),
  })
  .describe("A board overlay (single-board computers).");

const schematicFields = {
  extensions: z
    .array(extensionName)
    .default([])
    .describe("Official system extensions, e.g. siderolabs/iscsi-tools, siderolabs/intel-ucode."),
  extraKernelArgs: z.array(kernelArg).default([]).describe("Extra kernel arguments, e.g. net.ifnames=0."),
  overlay: overlaySchema.optional(),
};

export const schematicSchema = z
  .preprocess(
    // A bare 64-hex id (the earlier form of this field) pins a schematic made elsewhere.
    (value) => (typeof value === "string" ? { id: value } : value),
    z.strictObject({
      id: z
        .string()
        .regex(SCHEMATIC_ID, { message: "must be the 64-hex-digit Image Factory schematic id" })
        .optional()
        .describe(
          "A schematic id made elsewhere (e.g. with meta values or a bootloader kubeforge does not model); extensions, extraKernelArgs and overlay must then stay empty.",
        ),
      ...schematicFields,
      secureBoot: z
        .boolean()
        .default(false)
        .describe("Install the secure-boot installer (UKI signed by Sidero; enroll its keys first)."),
    }),
  )
  .describe("Image Factory schematic of every node; the id is computed from it offline.");

export const nodeSchematicSchema = z
  .strictObject({
    extensions: schematicFields.extensions.describe("Extensions added to talos.schematic's for this node."),
    extraKernelArgs: schematicFields.extraKernelArgs.describe("Kernel arguments added to talos.schematic's."),
    overlay: overlaySchema.optional().describe("Replaces talos.schematic.overlay on this node."),
    secureBoot: z.boolean().optional().describe("Overrides talos.schematic.secureBoot on this node."),
  })
  .describe("Per-node additions to the cluster's schematic (e.g. NIC firmware or microcode for one machine).");

export type Schematic = z.infer<typeof schematicSchema>;
export type NodeSchematic = z.infer<typeof nodeSchematicSchema>;
