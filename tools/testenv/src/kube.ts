import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { goBinary } from "./binaries.ts";
import { apiserverArgs, auditPolicy, controllerManagerArgs, etcdArgs } from "./control-plane.ts";
import { REPO_ROOT } from "./paths.ts";
import { freePort } from "./ports.ts";
import { probe } from "./probe.ts";
import { startProcess, type RunningProcess } from "./process.ts";

export interface KubeInfo {
  server: string;
  /** Bearer token of an admin (group system:masters). */
  token: string;
  /** CA bundle that verifies the apiserver's serving certificate. */
  caFile: string;
  kubeconfig: string;
  /** Every request the apiserver served, as JSON lines (audit level Metadata). */
  auditLog: string;
  kubectl: string;
}

/**
 * etcd + kube-apiserver (token auth, RBAC, service-account signing key, audit log) +
 * kube-controller-manager (garbage collector, Job, Deployment, namespace, service-account controllers).
 */
export async function startKube(dir: string, logDir: string): Promise<{ info: KubeInfo; processes: RunningProcess[] }> {
  mkdirSync(join(dir, "pki"), { recursive: true });
  const processes: RunningProcess[] = [];
  const [etcdPort, peerPort, apiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  processes.push(
    await startProcess({
      name: "etcd",
      command: goBinary("etcd"),
      args: etcdArgs({ name: "etcd", dataDir: join(dir, "etcd"), clientUrl: etcdUrl, peerUrl: `http://127.0.0.1:${peerPort}` }),
      logDir,
      ready: async () => (await probe(`${etcdUrl}/health`)) === 200,
    }),
  );

  const token = randomBytes(24).toString("hex");
  const controllerToken = randomBytes(24).toString("hex");
  writeFileSync(
    join(dir, "tokens.csv"),
    `${token},admin,admin,"system:masters"\n${controllerToken},system:kube-controller-manager,kcm,"system:masters"\n`,
    { mode: 0o600 },
  );
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = join(dir, "pki/sa.key");
  const saPub = join(dir, "pki/sa.pub");
  writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  const auditLog = join(logDir, "kube-audit.jsonl");
  writeFileSync(join(dir, "audit-policy.json"), JSON.stringify(auditPolicy()));

  const server = `https://127.0.0.1:${apiPort}`;
  processes.push(
    await startProcess({
      name: "kube-apiserver",
      command: goBinary("kube-apiserver"),
      args: apiserverArgs(
        {
          etcdUrl,
          address: "127.0.0.1",
          securePort: apiPort,
          certDir: join(dir, "pki"),
          serviceCidr: "10.0.0.0/24",
          clusterDomain: "cluster.local",
          serviceAccountKey: saKey,
          serviceAccountPub: saPub,
          tokenAuthFile: join(dir, "tokens.csv"),
          authorizationMode: "RBAC",
          auditPolicyFile: join(dir, "audit-policy.json"),
          auditLogPath: auditLog,
        },
        // A loopback advertise address fails Endpoints validation; nothing here needs the kubernetes Service's endpoints.
        ["--endpoint-reconciler-type=none"],
      ),
      logDir,
      timeoutMs: 120_000,
      ready: async () => (await probe(`${server}/readyz`, { authorization: `Bearer ${token}` })) === 200,
    }),
  );

  const caFile = join(dir, "pki/apiserver.crt");
  const kubeconfig = join(dir, "kubeconfig");
  writeKubeconfig(kubeconfig, server, caFile, token);
  const kcmKubeconfig = join(dir, "kcm.kubeconfig");
  writeKubeconfig(kcmKubeconfig, server, caFile, controllerToken);

  const kubectlPath = goBinary("kubectl");
  // Before the controller manager starts, so its garbage collector watches our kinds from its first
  // discovery instead of after its 30 s rediscovery period.
  await installCrds({ kubectl: kubectlPath, kubeconfig });

  processes.push(
    await startProcess({
      name: "kube-controller-manager",
      command: goBinary("kube-controller-manager"),
      args: controllerManagerArgs({ kubeconfig: kcmKubeconfig, securePort: kcmPort, serviceAccountKey: saKey, rootCaFile: caFile }),
      logDir,
      timeoutMs: 60_000,
      ready: async () => (await probe(`https://127.0.0.1:${kcmPort}/healthz`)) === 200,
    }),
  );

  return { info: { server, token, caFile, kubeconfig, auditLog, kubectl: kubectlPath }, processes };
}

function writeKubeconfig(path: string, server: string, caFile: string, token: string): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fireworkers-test", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: "admin", user: { token } }],
    contexts: [{ name: "fireworkers-test", context: { cluster: "fireworkers-test", user: "admin", namespace: "default" } }],
    "current-context": "fireworkers-test",
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
}

const execFileAsync = promisify(execFile);

/** Applies deploy/crds (kustomize, as users will) and waits until every CRD is Established. */
export async function installCrds(kube: Pick<KubeInfo, "kubectl" | "kubeconfig">): Promise<void> {
  await kubectl(kube, ["apply", "--server-side", "-k", join(REPO_ROOT, "deploy/crds")]);
  await kubectl(kube, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=fireworkers"]);
}

/** Runs kubectl against the environment; resolves to stdout, rejects with stderr in the message. */
export async function kubectl(info: Pick<KubeInfo, "kubectl" | "kubeconfig">, args: string[], input?: string): Promise<string> {
  const child = execFileAsync(info.kubectl, [`--kubeconfig=${info.kubeconfig}`, ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    return (await child).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}
