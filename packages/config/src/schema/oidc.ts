import { z } from "zod";
import { claimName, claimPrefix, dns1123Label, dns1123Subdomain, oidcGroupName } from "./primitives.js";

export const groupBindingSchema = z
  .strictObject({
    group: oidcGroupName.describe("Group name as the OIDC provider puts it in the groups claim."),
    clusterRole: dns1123Subdomain.describe("ClusterRole the group gets, e.g. cluster-admin, admin, edit or view."),
    namespace: dns1123Label
      .optional()
      .describe("When set, a RoleBinding in this namespace instead of a ClusterRoleBinding."),
  })
  .describe("Binds an OIDC group to a role.");

export const PEM_CERTIFICATE = /^(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

export const oidcSchema = z
  .strictObject({
    issuerUrl: z
      .url({
        protocol: /^https$/,
        // The API server refuses a non-https --oidc-issuer-url: say so, and what a valid value looks like.
        error: (issue) =>
          `${typeof issue.input === "string" ? `"${issue.input}"` : "the value"} is not an https:// URL — the Kubernetes API server accepts only an https issuer; give the full URL of your OIDC provider, e.g. "https://auth.example.com"`,
      })
      .describe("Issuer URL of the OIDC provider (Zitadel), https only."),
    issuerCaPem: z
      .string()
      .regex(PEM_CERTIFICATE, { message: "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----…)" })
      .optional()
      .describe(
        "CA certificate(s) the issuer's TLS certificate chains to, when it is not publicly trusted (a home-lab CA). In cluster.ts read a file with readFileSync; the API server trusts only this for the issuer.",
      ),
    issuerCaFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "File holding issuerCaPem, relative to the cluster definition (e.g. oidc-ca.pem); read by kubeforge-talos gen config.",
      ),
    clientId: z.string().min(1).describe("Client id the API server expects in the token audience."),
    usernameClaim: claimName.default("email").describe("Claim used as the Kubernetes user name."),
    usernamePrefix: claimPrefix
      .default("oidc:")
      .describe("Prefix added to user names (avoids clashes with system users)."),
    groupsClaim: claimName.default("groups").describe("Claim holding the user's groups."),
    groupsPrefix: claimPrefix.default("oidc:").describe("Prefix added to group names in RBAC subjects."),
    bindings: z.array(groupBindingSchema).default([]).describe("Group → role bindings."),
  })
  .refine((oidc) => oidc.issuerCaPem === undefined || oidc.issuerCaFile === undefined, {
    message: "gives both issuerCaPem and issuerCaFile — keep one",
    path: ["issuerCaFile"],
  })
  .describe("API server OIDC authentication and group RBAC.");

export type Oidc = z.infer<typeof oidcSchema>;
export type GroupBinding = z.infer<typeof groupBindingSchema>;
