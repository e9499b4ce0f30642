// One tenant of the platform for a test file: its own WorkerAccount (so its own bundle, pods and Ingress),
// an API token issued like `make up` does, and wrangler pointed at the API inside the cluster.
import { randomBytes } from "node:crypto";
import { applyAccount, issueToken, type ClusterInfo, type Platform } from "@fireworkers/cluster";
import { kubectl, runWrangler, type WranglerRun } from "@fireworkers/testenv";

export interface Tenant {
  accountId: string;
  subdomain: string;
  token: string;
  /** The real wrangler 4 CLI in `cwd`, against the platform's API. */
  wrangler(cwd: string, args: string[], input?: string): Promise<WranglerRun>;
  /** `<script>.<subdomain>.<domain>`: the Host the edge proxy routes to this tenant's script. */
  host(script: string): string;
  /** Deletes the WorkerAccount; everything it owns goes with it (ownerReferences, S3 finalizers). */
  remove(): Promise<void>;
}

export async function newTenant(cluster: ClusterInfo, platform: Platform, label: string): Promise<Tenant> {
  const kube = { kubectl: cluster.kubectl, kubeconfig: cluster.kubeconfig };
  const accountId = randomBytes(16).toString("hex");
  const subdomain = `${label}-${randomBytes(3).toString("hex")}`;
  await applyAccount(kube, platform.namespace, accountId, subdomain);
  const token = await issueToken(kube, platform.namespace, [accountId], `e2e-${label}`);
  return {
    accountId,
    subdomain,
    token,
    wrangler: (cwd, args, input) => runWrangler({ apiUrl: platform.apiUrl, token, accountId, cwd, args, input }),
    host: (script) => `${script}.${subdomain}.${platform.workersDomain}`,
    remove: async () => void (await kubectl(kube, ["-n", platform.namespace, "delete", "workeraccount", accountId, "--wait=false", "--ignore-not-found"])),
  };
}
