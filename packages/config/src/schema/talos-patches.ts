import { z } from "zod";

const jsonPatchOperation = z
  .strictObject({
    op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
    path: z.string().startsWith("/", { message: "must be a JSON pointer starting with /" }),
    value: z.unknown().optional(),
    from: z.string().optional(),
  })
  .describe("One RFC 6902 operation.");

export const talosPatchSchema = z
  .union([
    z.array(jsonPatchOperation).min(1).describe("RFC 6902 JSON patch applied to the v1alpha1 document."),
    z
      .record(z.string(), z.unknown())
      .describe(
        "Strategic merge patch: a partial v1alpha1 document, or a document with apiVersion/kind (and name) that is merged into, added to, or with `$patch: delete` removed from the config.",
      ),
  ])
  .describe("A Talos machine-config patch, strategic merge or RFC 6902, as talosctl --config-patch accepts.");

export type TalosPatch = z.infer<typeof talosPatchSchema>;
