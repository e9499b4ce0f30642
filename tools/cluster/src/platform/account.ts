// The developer's account on the local platform: a WorkerAccount (subdomain `dev`, so workers answer on
// `<script>.dev.workers.local`) and an API token for it, issued with the API's own CLI. The token is shown
// only once by that CLI, so it is kept in dist/local/credentials.json (this machine's, git-ignored) and
// reused by the next `make up` as long as the API still accepts it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { kubectl, REPO_ROOT } from "@fireworkers/testenv";

const execFileAsync = promisify(execFile);

export interface Credentials {
  accountId: string;
  subdomain: string;
  token: string;
}

type Kube = { kubectl: string; kubeconfig: string };

export async function tokenWorks(apiUrl: string, token: string): Promise<boolean> {
  const res = await fetch(`${apiUrl}/client/v4/user/tokens/verify`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  return res?.status === 200;
}

/** Applies a WorkerAccount (idempotent: server-side apply) with its subdomain. */
export async function applyAccount(kube: Kube, namespace: string, accountId: string, subdomain: string): Promise<void> {
  const account = {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerAccount",
    metadata: { name: accountId, namespace },
    spec: { workerBundleName: subdomain, subdomain },
  };
  await kubectl(kube, ["apply", "--server-side", "--field-manager=fireworkers-make-up", "-f", "-"], JSON.stringify(account));
}

/** Issues a token for the accounts with apps/fake-cf-api/src/cli/issue-token.ts; returns it. */
export async function issueToken(kube: Kube, namespace: string, accounts: string[], name: string): Promise<string> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [join(REPO_ROOT, "apps/fake-cf-api/src/cli/issue-token.ts"), ...accounts.flatMap((a) => ["--account", a]), "--namespace", namespace, "--name", name],
    { env: { ...process.env, KUBECONFIG: kube.kubeconfig } },
  );
  return stdout.trim();
}

export async function ensureAccount(kube: Kube, namespace: string, apiUrl: string, file: string, log: (msg: string) => void): Promise<Credentials> {
  const prev = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Credentials) : undefined;
  const creds: Credentials = prev ?? { accountId: randomBytes(16).toString("hex"), subdomain: "dev", token: "" };
  await applyAccount(kube, namespace, creds.accountId, creds.subdomain);
  if (creds.token && (await tokenWorks(apiUrl, creds.token))) {
    log(`  account ${creds.accountId} and its token (from ${file}) still valid`);
    return creds;
  }
  creds.token = await issueToken(kube, namespace, [creds.accountId], "make-up");
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  log(`  account ${creds.accountId} (subdomain ${creds.subdomain}), new token saved in ${file}`);
  return creds;
}
