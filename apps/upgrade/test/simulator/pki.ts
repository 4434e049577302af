// The simulator's own PKI: an etcd CA, one server+peer certificate per member, and a client certificate.
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { EtcdCredentials } from "../../src/index.js";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface IssuedCert {
  readonly cert: string;
  readonly key: string;
}

export interface SimulatorPki {
  readonly ca: string;
  readonly members: readonly IssuedCert[];
  readonly client: EtcdCredentials;
  /** Serving certificate of the fake Kubernetes API (same CA: one trust root for the simulator). */
  readonly apiServer: IssuedCert;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

function validity() {
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + 24 * 3600 * 1000) };
}

/** Mirrors Talos' etcd PKI shape: an ECDSA CA, member certs for serving and peering, a client cert. */
export async function createPki(memberCount: number): Promise<SimulatorPki> {
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "O=etcd, CN=etcd",
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const issue = async (serial: string, subject: string, usages: string[], sans: boolean): Promise<IssuedCert> => {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(usages),
        ...(sans
          ? [
              new x509.SubjectAlternativeNameExtension([
                { type: "ip", value: "127.0.0.1" },
                { type: "dns", value: "localhost" },
              ]),
            ]
          : []),
      ],
    });
    return { cert: cert.toString("pem"), key: await exportKey(keys.privateKey) };
  };
  const members: IssuedCert[] = [];
  for (let index = 0; index < memberCount; index += 1) {
    members.push(
      await issue(
        `1${index}`,
        `CN=sim-${index + 1}`,
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        true,
      ),
    );
  }
  const client = await issue(
    "20",
    "O=kube-apiserver-etcd-client, CN=kubeforge-upgrade",
    [x509.ExtendedKeyUsage.clientAuth],
    false,
  );
  const apiServer = await issue("30", "CN=kube-apiserver", [x509.ExtendedKeyUsage.serverAuth], true);
  const ca = caCert.toString("pem");
  return { ca, members, client: { ca, cert: client.cert, key: client.key }, apiServer };
}
