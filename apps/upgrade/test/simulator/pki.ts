// The simulator's PKI, made the way a real cluster's is: a Talos secrets bundle from @kubeforge/talos, member
// certificates from its etcd CA, and the client certificate from the very function the CLI uses.
import { bundleCa, generateBundle, issueCertificate } from "@kubeforge/talos";
import { issueEtcdCredentials } from "../../src/commands/credentials.js";
import type { EtcdCredentials } from "../../src/index.js";

export interface IssuedCert {
  readonly cert: string;
  readonly key: string;
}

export interface SimulatorPki {
  readonly ca: string;
  readonly members: readonly IssuedCert[];
  readonly client: EtcdCredentials;
  /** Serving certificate of the fake Kubernetes API (the etcd CA too: one trust root for the simulator). */
  readonly apiServer: IssuedCert;
}

export async function createPki(memberNames: readonly string[]): Promise<SimulatorPki> {
  const bundle = await generateBundle({ talosVersion: "v1.13.9" });
  const ca = bundleCa(bundle, "etcd");
  const serving = async (commonName: string, both: boolean): Promise<IssuedCert> => {
    const issued = await issueCertificate({
      ca,
      commonName,
      extendedKeyUsages: both ? ["serverAuth", "clientAuth"] : ["serverAuth"],
      ipAddresses: ["127.0.0.1"],
      dnsNames: ["localhost"],
    });
    return { cert: issued.crt, key: issued.key };
  };
  const members: IssuedCert[] = [];
  for (const name of memberNames) members.push(await serving(name, true));
  return {
    ca: ca.crt,
    members,
    client: await issueEtcdCredentials(bundle),
    apiServer: await serving("kube-apiserver", false),
  };
}
