// @kubernetes/client-node 2.x builds a new undici Agent for every request (KubeConfig
// .applySecurityAuthentication), so every apiserver call pays a fresh TCP + TLS handshake on both
// sides, plus reading the CA from disk. On a busy apiserver that is most of a request's cost. This
// keeps one Agent (keep-alive; HTTP/2 when the apiserver offers it) for as long as the TLS material
// (CA, client certificate and key, server name, verification) stays the same, and builds a new one
// when it changes (rotated certificates). Headers (bearer tokens, exec plugins) are still computed
// per request by the library, so rotated tokens keep working.
import { createHash } from "node:crypto";
import { bufferFromFileOrString, KubeConfig } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<import("@kubernetes/client-node").RequestContext["getDispatcher"]>>;

const shared = new WeakSet<KubeConfig>();

/** Makes every request made with `kc` share keep-alive connections (once per KubeConfig). Returns `kc`. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  if (shared.has(kc)) return kc;
  shared.add(kc);
  const apply = kc.applySecurityAuthentication.bind(kc);
  let current: { key: string; dispatcher: Dispatcher } | undefined;
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    const fresh = context.getDispatcher();
    const cluster = kc.getCurrentCluster();
    // Proxies get the library's own handling; no dispatcher means the platform default (already pooled).
    if (!fresh || !cluster || cluster.proxyUrl) return;
    const user = kc.getCurrentUser();
    const key = tlsIdentity([
      cluster.server,
      String(cluster.skipTLSVerify ?? ""),
      cluster.tlsServerName ?? "",
      bufferFromFileOrString(cluster.caFile, cluster.caData),
      bufferFromFileOrString(user?.certFile, user?.certData),
      bufferFromFileOrString(user?.keyFile, user?.keyData),
    ]);
    if (current?.key !== key) {
      // In-flight requests on the old Agent finish; it closes afterwards.
      void current?.dispatcher.close().catch(() => undefined);
      current = { key, dispatcher: fresh };
      return;
    }
    // The Agent the library just built has no connection yet: dropping it costs nothing.
    context.setDispatcher(current.dispatcher);
  };
  return kc;
}

/** KUBECONFIG (or ~/.kube/config), else the in-cluster service account; with shared connections. */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return shareConnections(kc);
}

function tlsIdentity(parts: (string | Buffer | null)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part ?? "").update("\0");
  return hash.digest("hex");
}
