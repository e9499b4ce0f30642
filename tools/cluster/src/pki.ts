import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterConfig } from "./config.ts";

/** The identities the components use against the API server (static bearer tokens). */
export const IDENTITIES = {
  admin: { user: "admin", groups: ["system:masters"] },
  "kube-controller-manager": { user: "system:kube-controller-manager", groups: [] },
  "kube-scheduler": { user: "system:kube-scheduler", groups: [] },
  // The Node authorizer and NodeRestriction recognise a kubelet by this name and group.
  kubelet: { user: "system:node:{node}", groups: ["system:nodes"] },
  // RBAC's bootstrap policy binds system:node-proxier to this user.
  "kube-proxy": { user: "system:kube-proxy", groups: [] },
  coredns: { user: "fireworkers:coredns", groups: [] },
} as const;
export type Identity = keyof typeof IDENTITIES;

export interface Pki {
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  saKey: string;
  saPub: string;
  tokensCsv: string;
  tokens: Record<Identity, string>;
}

/**
 * A CA (openssl, ECDSA P-256), the API server's serving certificate signed by it, the service-account
 * key pair and one token per component. Made once and kept; the serving certificate is made again
 * when its SANs change (another node IP or service range).
 */
export function ensurePki(cfg: ClusterConfig, dir: string): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f: string) => join(dir, f);
  const pki: Pki = {
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    apiserverCert: p("apiserver.crt"),
    apiserverKey: p("apiserver.key"),
    saKey: p("sa.key"),
    saPub: p("sa.pub"),
    tokensCsv: p("tokens.csv"),
    tokens: {} as Record<Identity, string>,
  };
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });

  if (!existsSync(pki.caCert)) {
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pki.caKey]);
    openssl(["req", "-x509", "-new", "-key", pki.caKey, "-sha256", "-days", "3650", "-subj", "/CN=fireworkers-cluster-ca", "-out", pki.caCert]);
  }

  const sans = [
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    `DNS:kubernetes.default.svc.${cfg.clusterDomain}`,
    "IP:127.0.0.1",
    `IP:${cfg.nodeIp}`,
    `IP:${cfg.apiServiceIp}`,
  ].join(",");
  const sansFile = p("apiserver.sans");
  if (!existsSync(pki.apiserverCert) || (existsSync(sansFile) ? readFileSync(sansFile, "utf8") : "") !== sans) {
    const ext = p("apiserver.ext");
    writeFileSync(ext, `subjectAltName=${sans}\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pki.apiserverKey]);
    openssl(["req", "-new", "-key", pki.apiserverKey, "-subj", "/CN=kube-apiserver", "-out", p("apiserver.csr")]);
    openssl([
      "x509", "-req", "-in", p("apiserver.csr"), "-CA", pki.caCert, "-CAkey", pki.caKey, "-CAcreateserial",
      "-sha256", "-days", "3650", "-extfile", ext, "-out", pki.apiserverCert,
    ]);
    writeFileSync(sansFile, sans);
  }

  if (!existsSync(pki.saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(pki.saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(pki.saPub, publicKey.export({ type: "spki", format: "pem" }));
  }

  const tokensJson = p("tokens.json");
  const known: Partial<Record<Identity, string>> = existsSync(tokensJson) ? JSON.parse(readFileSync(tokensJson, "utf8")) : {};
  for (const id of Object.keys(IDENTITIES) as Identity[]) {
    pki.tokens[id] = known[id] ?? randomBytes(24).toString("hex");
  }
  writeFileSync(tokensJson, JSON.stringify(pki.tokens, null, 2), { mode: 0o600 });
  // token,user,uid,"group1,group2"
  const csv = (Object.keys(IDENTITIES) as Identity[]).map((id) => {
    const { user, groups } = IDENTITIES[id];
    const name = user.replace("{node}", cfg.nodeName);
    return `${pki.tokens[id]},${name},${name}${groups.length ? `,"${groups.join(",")}"` : ""}`;
  });
  writeFileSync(pki.tokensCsv, `${csv.join("\n")}\n`, { mode: 0o600 });
  return pki;
}

/** A kubeconfig for one identity; the CA is embedded, so the file can be copied elsewhere on this machine. */
export function writeKubeconfig(path: string, cfg: ClusterConfig, pki: Pki, id: Identity): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "fireworkers",
        cluster: {
          server: `https://${cfg.nodeIp}:${cfg.apiPort}`,
          "certificate-authority-data": readFileSync(pki.caCert).toString("base64"),
        },
      },
    ],
    users: [{ name: id, user: { token: pki.tokens[id] } }],
    contexts: [{ name: "fireworkers", context: { cluster: "fireworkers", user: id, namespace: "default" } }],
    "current-context": "fireworkers",
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
}
