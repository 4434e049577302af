// Promotion evidence: what a healthy staging run saw, signed so a production run can trust it, and the gate
// a production run passes with it. Signature: Ed25519 over the canonical JSON of every other field, with a
// key only the operator holds (see README "Promotion evidence"); production verifies with its own copy of
// the key and never with a key the file names.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { sameVersion } from "@kubeforge/config";
import { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.js";
import { UpgradeError } from "./errors.js";

export const evidenceBodySchema = z.strictObject({
  version: z.literal(2),
  cluster: z.string().min(1),
  environment: z.literal("staging"),
  /** Who the staging cluster is: its etcd cluster ID (random at bootstrap) and its API VIP. */
  identity: z.strictObject({ etcdClusterId: z.string().min(1), vip: z.string().min(1) }),
  talos: z.string(),
  kubernetes: z.string(),
  healthy: z.boolean(),
  recordedAt: z.string(),
  nodes: z.array(z.strictObject({ hostname: z.string(), talos: z.string(), kubelet: z.string(), ready: z.boolean() })),
  checks: z.array(z.strictObject({ gate: z.string(), detail: z.string() })),
});

export const evidenceSchema = evidenceBodySchema.extend({
  signature: z.strictObject({
    algorithm: z.literal("ed25519"),
    /** sha256 of the public key (SPKI DER), hex: says which key signed, for the message only. */
    keyId: z.string(),
    value: z.string(),
  }),
});

export type EvidenceBody = z.infer<typeof evidenceBodySchema>;
export type Evidence = z.infer<typeof evidenceSchema>;

/** @default 14 days */
export const DEFAULT_EVIDENCE_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** Clock skew tolerated between the staging and the production machine. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

export function evidenceFile(dir: string, cluster: string): string {
  return path.join(dir, `${cluster}.json`);
}

/** JSON with object keys sorted at every level: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function keyId(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 16);
}

/** Reads the Ed25519 signing key (PKCS#8 PEM); `create` makes one 0600 when the file does not exist. */
export async function loadEvidenceKey(file: string, options: { create?: boolean } = {}): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !options.create) {
      throw new UpgradeError(
        "E_PROMOTION",
        `cannot read the evidence key ${file}: ${(error as NodeJS.ErrnoException).code}`,
        {
          gate: "promotion",
          hint: "the first staging run creates it; give production the same key with --evidence-key <file>",
        },
      );
    }
    // From a random seed, not generateKeyPairSync: on Node 20 exporting a just-generated key can deadlock the
    // thread when a garbage collection finalises the key-generation job during the export.
    const privateKey = createPrivateKey({
      key: {
        kty: "OKP",
        crv: "Ed25519",
        d: randomBytes(32).toString("base64url"),
        x: Buffer.alloc(32).toString("base64url"),
      },
      format: "jwk",
    });
    text = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Exclusive create: never overwrite a key another run wrote meanwhile, never follow a planted symlink.
      await writeFile(file, text, { mode: 0o600, flag: "wx" });
    } catch (error) {
      throw new UpgradeError(
        "E_PROMOTION",
        `cannot create the evidence key ${file}: ${(error as NodeJS.ErrnoException).code}`,
        {
          gate: "promotion",
          hint: "make its folder writable and remove whatever (a dangling symlink, another run's file) is at that path, or pass an existing key with --evidence-key <file>",
        },
      );
    }
  }
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (error) {
    throw new UpgradeError("E_PROMOTION", `${file} is not an Ed25519 private key (${(error as Error).message})`, {
      gate: "promotion",
      hint: "pass the key the staging run created with --evidence-key <file>",
    });
  }
}

export function signEvidence(body: EvidenceBody, key: KeyObject): Evidence {
  const value = sign(null, Buffer.from(canonicalJson(body)), key).toString("base64");
  return { ...body, signature: { algorithm: "ed25519", keyId: keyId(key), value } };
}

export async function recordEvidence(dir: string, body: EvidenceBody, key: KeyObject): Promise<string> {
  const file = evidenceFile(dir, body.cluster);
  await writeJsonAtomic(file, signEvidence(body, key));
  return file;
}

export interface VerifyOptions {
  readonly key: KeyObject;
  readonly target: { readonly talos: string; readonly kubernetes: string };
  /** The production cluster's name: its own evidence does not promote it. */
  readonly production?: string;
  /** @default DEFAULT_EVIDENCE_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** Wall clock (the evidence carries a wall-clock timestamp). @default new Date() */
  readonly now?: Date;
}

/** Why this evidence does not promote the target, as `<field>: <problem>`; undefined when it does. */
export function verifyEvidence(data: unknown, options: VerifyOptions): string | undefined {
  const parsed = evidenceSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join(".") || "(root)"}: ${issue?.message} (not signed staging evidence of this version)`;
  }
  const evidence = parsed.data;
  const { signature, ...body } = evidence;
  const good = verify(
    null,
    Buffer.from(canonicalJson(body)),
    createPublicKey(options.key),
    Buffer.from(signature.value, "base64"),
  );
  if (!good) {
    return signature.keyId === keyId(options.key)
      ? "signature: does not match the content (the file was changed after it was signed)"
      : `signature: made with key ${signature.keyId}, not this run's evidence key ${keyId(options.key)}`;
  }
  const now = options.now ?? new Date();
  const maxAge = options.maxAgeMs ?? DEFAULT_EVIDENCE_MAX_AGE_MS;
  const recorded = Date.parse(evidence.recordedAt);
  if (Number.isNaN(recorded)) return `recordedAt: "${evidence.recordedAt}" is not a timestamp`;
  if (recorded > now.getTime() + FUTURE_SKEW_MS) return `recordedAt: ${evidence.recordedAt} is in the future`;
  if (now.getTime() - recorded > maxAge) {
    return `recordedAt: ${evidence.recordedAt} is older than the maximum age of ${Math.round(maxAge / 86_400_000)} day(s)`;
  }
  if (options.production && evidence.cluster === options.production) {
    return `cluster: ${evidence.cluster} is the production cluster itself`;
  }
  if (!sameVersion(evidence.talos, options.target.talos))
    return `talos: ${evidence.talos}, not the target ${options.target.talos}`;
  if (!sameVersion(evidence.kubernetes, options.target.kubernetes)) {
    return `kubernetes: ${evidence.kubernetes}, not the target ${options.target.kubernetes}`;
  }
  if (!evidence.healthy) return "healthy: false (the staging run's final checks did not pass)";
  if (evidence.nodes.length === 0) return "nodes: empty (no staging node was observed)";
  for (const [index, node] of evidence.nodes.entries()) {
    if (!sameVersion(node.talos, options.target.talos))
      return `nodes[${index}].talos: ${node.hostname} at ${node.talos}`;
    if (!sameVersion(node.kubelet, options.target.kubernetes)) {
      return `nodes[${index}].kubelet: ${node.hostname} at ${node.kubelet}`;
    }
    if (!node.ready) return `nodes[${index}].ready: ${node.hostname} was not Ready`;
  }
  return undefined;
}

async function listEvidence(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(".json")).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/**
 * A production upgrade needs a staging cluster recorded healthy at exactly the target versions, signed with
 * the operator's key, recent and not from the future. `files` overrides where to look (default: every file in `dir`).
 */
export async function checkPromotion(
  options: Omit<VerifyOptions, "key"> & {
    dir: string;
    files?: readonly string[];
    /** The verifying key, or how to load it (only loaded when there is evidence to check). */
    key: KeyObject | (() => Promise<KeyObject>);
  },
): Promise<Evidence> {
  const files = options.files ?? (await listEvidence(options.dir));
  const problems: string[] = [];
  const key = files.length > 0 && typeof options.key === "function" ? await options.key() : options.key;
  for (const file of files) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    const problem = verifyEvidence(data, { ...options, key: key as KeyObject });
    if (!problem) return data as Evidence;
    problems.push(`${file}: ${problem}`);
  }
  throw new UpgradeError(
    "E_PROMOTION",
    `production upgrade to Talos ${options.target.talos} / Kubernetes ${options.target.kubernetes} refused: no valid staging evidence${problems.length > 0 ? ` (${problems.join("; ")})` : ` (no evidence in ${options.dir})`}`,
    {
      gate: "promotion",
      hint: "run the upgrade on staging first (it records signed evidence), or pass --force --reason '<why>'",
    },
  );
}
