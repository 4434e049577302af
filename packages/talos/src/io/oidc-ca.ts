// Reads `oidc.issuerCaFile` (relative to the cluster definition) into `oidc.issuerCaPem`, so the pure
// renderers only ever see PEM text.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { TalosError } from "../errors.js";

const PEM_CERTIFICATE = /^(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

export async function resolveOidcCa(cluster: Cluster, clusterFile: string): Promise<Cluster> {
  const { issuerCaFile } = cluster.oidc;
  if (issuerCaFile === undefined) return cluster;
  const file = path.resolve(path.dirname(clusterFile), issuerCaFile);
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new TalosError(
      "E_CONFIG_INVALID",
      [
        {
          file,
          path: "oidc.issuerCaFile",
          message: "cannot be read",
          hint: "put the issuer's CA certificate (PEM) there, or fix the path (relative to the cluster definition)",
        },
      ],
      { cause },
    );
  });
  if (!PEM_CERTIFICATE.test(text.trim())) {
    throw new TalosError("E_CONFIG_INVALID", [
      {
        file,
        path: "oidc.issuerCaFile",
        message: "is not one or more PEM certificates",
        hint: "save the CA certificate in PEM form (-----BEGIN CERTIFICATE-----…)",
      },
    ]);
  }
  return { ...cluster, oidc: { ...cluster.oidc, issuerCaPem: `${text.trim()}\n` } };
}
