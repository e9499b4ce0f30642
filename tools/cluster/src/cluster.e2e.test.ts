// The node is real: a Deployment of an image pushed to the cluster's registry runs two pods under
// containerd/runc on the CNI bridge, reachable from this machine by pod IP, by ClusterIP (kube-proxy)
// and through `kubectl port-forward`; CoreDNS resolves the Service from inside a pod; logs and exec work.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { kubectl } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { imageFromDir, pushImage } from "./image.ts";

const cluster = inject("cluster");
const kube = { kubectl: cluster.kubectl, kubeconfig: cluster.kubeconfig };
const ns = `e2e-cluster-${randomBytes(3).toString("hex")}`;
const k = (args: string[], input?: string) => kubectl(kube, ["-n", ns, ...args], input);

/** busybox httpd serving /www, with a CGI that answers the pod's hostname. */
function httpdImage() {
  const root = mkdtempSync(join(tmpdir(), "e2e-httpd-"));
  try {
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "www/cgi-bin"), { recursive: true });
    copyFileSync("/bin/busybox", join(root, "bin/busybox"));
    symlinkSync("busybox", join(root, "bin/sh"));
    writeFileSync(join(root, "www/index.html"), `hello from ${ns}\n`);
    writeFileSync(join(root, "www/cgi-bin/whoami"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n/bin/busybox hostname\n");
    chmodSync(join(root, "www/cgi-bin/whoami"), 0o755);
    return imageFromDir(root, { Entrypoint: ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"], ExposedPorts: { "8080/tcp": {} } });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const get = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
};

describe("single-node cluster", () => {
  let pods: { name: string; ip: string }[] = [];
  let clusterIp = "";

  beforeAll(async () => {
    const tag = randomBytes(4).toString("hex");
    await pushImage(cluster.registryUrl, "e2e/httpd", tag, httpdImage());
    const labels = { app: "httpd" };
    const manifests = {
      apiVersion: "v1",
      kind: "List",
      items: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "httpd", namespace: ns },
          spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: "httpd",
                    image: `${cluster.registry}/e2e/httpd:${tag}`,
                    ports: [{ containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1 },
                  },
                ],
                terminationGracePeriodSeconds: 1,
              },
            },
          },
        },
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "httpd", namespace: ns },
          spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
        },
      ],
    };
    await kubectl(kube, ["apply", "-f", "-"], JSON.stringify(manifests));
    await k(["rollout", "status", "deployment/httpd", "--timeout=180s"]);
    const list = JSON.parse(await k(["get", "pods", "-l", "app=httpd", "-o", "json"]));
    pods = list.items
      .filter((p: any) => p.status.phase === "Running" && !p.metadata.deletionTimestamp)
      .map((p: any) => ({ name: p.metadata.name, ip: p.status.podIP }));
    clusterIp = JSON.parse(await k(["get", "service", "httpd", "-o", "json"])).spec.clusterIP;
  });

  afterAll(async () => {
    await kubectl(kube, ["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
  });

  it("has a Ready node running on containerd", async () => {
    const node = JSON.parse(await kubectl(kube, ["get", "node", cluster.nodeName, "-o", "json"]));
    expect(node.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    expect(node.status.addresses).toContainEqual({ type: "InternalIP", address: cluster.nodeIp });
  });

  it("runs both replicas of a Deployment pulled from the local registry, on pod IPs reachable from the host", async () => {
    expect(pods).toHaveLength(2);
    const prefix = cluster.podCidr.split(".").slice(0, 3).join(".");
    for (const pod of pods) {
      expect(pod.ip.startsWith(`${prefix}.`)).toBe(true);
      expect(await get(`http://${pod.ip}:8080/`)).toEqual({ status: 200, body: `hello from ${ns}\n` });
      expect((await get(`http://${pod.ip}:8080/cgi-bin/whoami`)).body.trim()).toBe(pod.name);
    }
  });

  it("balances a ClusterIP Service over both pods (kube-proxy), from the host", async () => {
    // kube-proxy writes the Service's rules a moment after its endpoints become ready: until then, REJECT.
    const deadline = Date.now() + 30_000;
    while ((await get(`http://${clusterIp}/`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`${clusterIp}:80 did not answer within 30 s`);
      await sleep(200);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await get(`http://${clusterIp}/cgi-bin/whoami`)).body.trim());
    expect([...seen].sort()).toEqual(pods.map((p) => p.name).sort());
  });

  it("resolves the Service by name with CoreDNS and reaches it from inside a pod (exec)", async () => {
    const pod = pods[0]!.name;
    const lookup = await k(["exec", pod, "--", "/bin/busybox", "nslookup", `httpd.${ns}.svc.${cluster.clusterDomain}`]);
    expect(lookup).toContain(clusterIp);
    // busybox-static's wget crashes in glibc's static NSS (exit 139); nc speaks plain HTTP instead.
    const body = await k(["exec", pod, "--", "/bin/sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc ${clusterIp} 80`]);
    expect(body).toContain(`hello from ${ns}`);
  });

  it("serves kubectl logs", async () => {
    await get(`http://${pods[1]!.ip}:8080/`);
    const logs = await k(["logs", pods[1]!.name]);
    expect(logs).toContain("response:200");
  });

  it("runs a Job whose pod reaches the API server in-cluster (kubernetes Service, service-account token, CA)", async () => {
    // kubectl is a static Go binary: alone in an image, it uses the pod's in-cluster config.
    const root = mkdtempSync(join(tmpdir(), "e2e-kubectl-"));
    try {
      copyFileSync(cluster.kubectl, join(root, "kubectl"));
      const image = imageFromDir(root, { Entrypoint: ["/kubectl", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], Env: ["HOME=/tmp"] });
      await pushImage(cluster.registryUrl, "e2e/kubectl", "1", image);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "whoami", namespace: ns },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: "Never", containers: [{ name: "whoami", image: `${cluster.registry}/e2e/kubectl:1` }] } },
      },
    };
    await k(["apply", "-f", "-"], JSON.stringify(job));
    await k(["wait", "--for=condition=Complete", "job/whoami", "--timeout=120s"]);
    expect((await k(["logs", "job/whoami"])).trim()).toBe(`system:serviceaccount:${ns}:default`);
  });

  it("forwards a local port to the Service (kubectl port-forward)", async () => {
    const child = spawn(cluster.kubectl, [`--kubeconfig=${cluster.kubeconfig}`, "-n", ns, "port-forward", "service/httpd", ":80"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.once("exit", (code) => reject(new Error(`port-forward exited with ${code}: ${out}`)));
      });
      expect(await get(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: `hello from ${ns}\n` });
    } finally {
      child.kill();
    }
  });
});
