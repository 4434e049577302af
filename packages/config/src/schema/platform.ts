import { z } from "zod";
import { dns1123Subdomain, duration } from "./primitives.js";

export const storageClassSchema = z
  .strictObject({
    name: dns1123Subdomain,
    default: z.boolean().default(false).describe("Marks the cluster's default StorageClass (exactly one may be)."),
    replicas: z.number().int().min(1).max(5).default(3).describe("Data replicas CubeFS keeps."),
    reclaimPolicy: z.enum(["Delete", "Retain"]).default("Delete"),
    volumeBindingMode: z.enum(["Immediate", "WaitForFirstConsumer"]).default("Immediate"),
    allowVolumeExpansion: z.boolean().default(true),
  })
  .describe("A CubeFS-backed StorageClass.");

export const priorityClassSchema = z
  .strictObject({
    name: dns1123Subdomain,
    value: z
      .number()
      .int()
      .max(1_000_000_000, { message: "must be at most 1000000000 (higher values are reserved for system classes)" }),
    description: z.string().default(""),
    globalDefault: z.boolean().default(false),
    preemptionPolicy: z.enum(["PreemptLowerPriority", "Never"]).default("PreemptLowerPriority"),
  })
  .describe("A PriorityClass.");

/**
 * A branch name git accepts (`git check-ref-format --branch`): no spaces, control characters or any of
 * ~ ^ : ? * [ \, no "..", "@{", "//", no leading "-" or "/", no trailing "/", "." or ".lock", not "@". Flux would
 * fail to check out anything else, long after build and validate passed.
 */
const gitBranch = z
  .string()
  .min(1)
  .refine(
    (name) =>
      ![...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) &&
      !/[\s~^:?*[\\]|\.\.|@\{|\/\//.test(name) &&
      !/^[-/]|[/.]$|\.lock$|(^|\/)\./.test(name) &&
      !/\.lock\//.test(name) &&
      name !== "@",
    { message: 'is not a branch name git accepts (no spaces, ~ ^ : ? * [ \\ or ".."; e.g. main or release/v2)' },
  );

export const fluxSchema = z
  .strictObject({
    url: z.string().regex(/^(https|ssh):\/\//, { message: "must be an https:// or ssh:// Git URL" }),
    branch: gitBranch.default("main").describe("Branch Flux syncs."),
    path: z
      .string()
      .regex(/^\.\/[^\s]*[^/]$|^\.\/$/, {
        message: "must be a relative path starting with ./, e.g. ./clusters/homelab/flux",
      })
      .optional()
      .describe("Path Flux reconciles; defaults to ./clusters/<name>/flux."),
    interval: duration.default("10m"),
    secretRef: z.string().optional().describe("Secret with Git credentials (private repositories)."),
  })
  .describe("Where Flux pulls this cluster's tree from.");

/** The public demo key in demo-keys/ (anyone can decrypt what is encrypted to it): examples only. */
export const DEMO_AGE_RECIPIENT = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";

export const sopsSchema = z
  .strictObject({
    ageRecipients: z
      .array(z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, { message: "must be an age X25519 public key (age1…)" }))
      .min(1)
      .describe("age public keys every secret is encrypted to."),
    decryptionSecret: z.string().default("sops-age").describe("Secret in flux-system holding the age private key."),
    example: z
      .boolean()
      .default(false)
      .describe("Marks an example cluster: only examples may encrypt to the public demo key in demo-keys/."),
  })
  .describe("SOPS settings for the cluster's secrets.");

export type StorageClass = z.infer<typeof storageClassSchema>;
export type PriorityClass = z.infer<typeof priorityClassSchema>;
export type Flux = z.infer<typeof fluxSchema>;
export type Sops = z.infer<typeof sopsSchema>;
