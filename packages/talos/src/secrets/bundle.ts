// The Talos secrets bundle in exactly the `talosctl gen secrets` layout (see ../../README.md#secrets-bundle).
import { z } from "zod";

const token = z
  .string()
  .regex(/^[a-z0-9]{6}\.[a-z0-9]{16}$/, { message: "must be a token like abcdef.0123456789abcdef" });
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, { message: "must be base64" });
const pemPair = z.strictObject({ crt: base64, key: base64 });

export const secretsBundleSchema = z
  .strictObject({
    cluster: z.strictObject({ id: z.string().min(1), secret: base64 }),
    secrets: z
      .strictObject({
        bootstraptoken: token,
        secretboxencryptionsecret: base64.optional(),
        aescbcencryptionsecret: base64.optional(),
      })
      .refine(
        (secrets) =>
          (secrets.secretboxencryptionsecret === undefined) !== (secrets.aescbcencryptionsecret === undefined),
        {
          message: "needs exactly one of secretboxencryptionsecret and aescbcencryptionsecret",
        },
      ),
    trustdinfo: z.strictObject({ token }),
    certs: z.strictObject({
      etcd: pemPair,
      k8s: pemPair,
      k8saggregator: pemPair,
      k8sserviceaccount: z.strictObject({ key: base64 }),
      os: pemPair,
    }),
  })
  .describe("A Talos secrets bundle (talosctl gen secrets).");

/** A secrets bundle; every crt/key is base64 of PEM text, as talosctl writes it. */
export type SecretsBundle = z.infer<typeof secretsBundleSchema>;

/** The CAs of a bundle that issue certificates. */
export type BundleCa = "etcd" | "k8s" | "k8saggregator" | "os";
