// Against a real local HTTP server standing in for the apiserver (plain HTTP, so no certificates): one
// that never answers proves the request deadline, others answer fixed statuses and record requests.
// The real kube-apiserver runs in the apps' integration tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { eventually } from "@fireworkers/testenv";
import { afterEach, describe, expect, it } from "vitest";
import { KubeClient } from "./client.ts";
import { Conflict, Forbidden, Invalid, Unavailable } from "./errors.ts";
import { KINDS } from "./kinds.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function client(server: string, requestTimeoutMs?: number) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: true }],
    users: [{ name: "u", token: "secret-token" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return new KubeClient(kc, { namespace: "ns", fieldManager: "test-manager", requestTimeoutMs });
}

const status = (code: number, message = "nope") => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", code, message }));
};

describe("KubeClient", () => {
  it("gives up on a request after the timeout, as Unavailable", async () => {
    // Accepts the connection and never answers.
    const { url, seen } = await serve(() => undefined);
    const started = Date.now();
    const err = await client(url, 300)
      .get(KINDS.Secret, "s")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Unavailable).message).toBe("get Secret/s: timed out");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toHaveLength(1);
  });

  it("aborts a request when the caller's signal fires, long before the request deadline", async () => {
    // Accepts the connection and never answers: only the signal can end the request.
    const { url, seen } = await serve(() => undefined);
    const controller = new AbortController();
    const pending = client(url, 60_000)
      .apply(KINDS.Secret, { metadata: { name: "s" } }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await eventually("the request to arrive", () => seen.length === 1, { timeoutMs: 5_000, intervalMs: 10 });
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Unavailable).message).toBe("apply Secret/s: aborted");
  });

  it("sends nothing when the signal has already fired", async () => {
    const { url, seen } = await serve(status(200));
    const err = await client(url)
      .get(KINDS.Secret, "s", { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unavailable);
    expect(seen).toHaveLength(0);
  });

  it("ends a watch that receives a garbled line as Unavailable (no uncaught exception)", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
      res.write("{not json\n");
    });
    const seen: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void client(url).watch(KINDS.Secret, {}, (type, o) => seen.push(`${type} ${o.metadata?.name}`), resolve);
    });
    const err = await ended;
    expect(seen).toEqual(["ADDED a"]);
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Unavailable).message).toMatch(/^watch Secret: garbled event: /);
  });

  it("ends a watch whose handler throws as Unavailable", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
    });
    const ended = new Promise<unknown>((resolve) => {
      void client(url).watch(
        KINDS.Secret,
        {},
        () => {
          throw new Error("handler bug");
        },
        resolve,
      );
    });
    const err = await ended;
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Unavailable).message).toBe("watch Secret: event handler failed: handler bug");
  });

  it("names a namespace in an Event's involvedObject only for namespaced kinds", async () => {
    const { url, seen } = await serve(status(201));
    await client(url).event({ apiVersion: "v1", kind: "Namespace", metadata: { name: "tenant" } }, "Normal", "R", "m");
    await client(url).event({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }, "Normal", "R", "m");
    const involved = seen.map((r) => (JSON.parse(r.body) as { involvedObject: { namespace?: string } }).involvedObject);
    expect(involved[0]).not.toHaveProperty("namespace");
    expect(involved[1]!.namespace).toBe("ns");
  });

  it("maps answers to the error taxonomy: 403 Forbidden, 409 Conflict, 422 Invalid, 503 Unavailable", async () => {
    for (const [code, type] of [
      [403, Forbidden],
      [409, Conflict],
      [422, Invalid],
      [503, Unavailable],
    ] as const) {
      const { url } = await serve(status(code, `said ${code}`));
      const err = await client(url)
        .create(KINDS.ConfigMap, { metadata: { name: "c" } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toBe(`create ConfigMap/c: HTTP ${code}: said ${code}`);
    }
  });

  it("reads 404 as absence: get gives undefined, delete false", async () => {
    const { url } = await serve(status(404));
    expect(await client(url).get(KINDS.WorkerAccount, "a")).toBeUndefined();
    expect(await client(url).delete(KINDS.Deployment, "d")).toBe(false);
  });

  it("is an unreachable apiserver Unavailable", async () => {
    const { url } = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const err = await client(url)
      .list(KINDS.Job)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Error).message).toMatch(/^list Job: fetch failed: .*ECONNREFUSED/);
  });

  it("builds the URL from the kind, and writes under the field manager with the client's credentials", async () => {
    const { url, seen } = await serve((_req, res) => res.end(JSON.stringify({ metadata: { name: "x", resourceVersion: "7" } })));
    const kube = client(url);
    await kube.apply(KINDS.Ingress, { metadata: { name: "i", resourceVersion: "3" }, spec: {} });
    await kube.applyStatus(KINDS.WorkerBundle, "b", { servingImage: "r@sha256:1" });
    await kube.mergePatch(KINDS.Lease, "l", { metadata: { finalizers: null } });
    await kube.create(KINDS.Namespace, { metadata: { name: "n" } });
    await kube.mergePatch(KINDS.Job, "j", { status: { succeeded: 1 } }, { subresource: "status" });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.headers["content-type"]}`)).toEqual([
      "PATCH /apis/networking.k8s.io/v1/namespaces/ns/ingresses/i?fieldManager=test-manager&force=true application/apply-patch+yaml",
      "PATCH /apis/api.cf-worker/v1/namespaces/ns/workerbundles/b/status?fieldManager=test-manager&force=true application/apply-patch+yaml",
      "PATCH /apis/coordination.k8s.io/v1/namespaces/ns/leases/l?fieldManager=test-manager application/merge-patch+json",
      "POST /api/v1/namespaces?fieldManager=test-manager application/json",
      "PATCH /apis/batch/v1/namespaces/ns/jobs/j/status?fieldManager=test-manager application/merge-patch+json",
    ]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "ns" }, spec: {} });
    expect(JSON.parse(seen[3]!.body)).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } });
    expect(seen.every((s) => s.headers.authorization === "Bearer secret-token" && s.headers["user-agent"] === "fireworkers/test-manager")).toBe(true);
  });

  it("lists every page and stamps items with their kind", async () => {
    const { url, seen } = await serve((req, res) => {
      const page2 = req.url?.includes("continue=p2");
      res.end(JSON.stringify({ metadata: { resourceVersion: page2 ? "20" : "10", continue: page2 ? "" : "p2" }, items: [{ metadata: { name: page2 ? "b" : "a" } }] }));
    });
    const { items, resourceVersion } = await client(url).list(KINDS.Secret, { labelSelector: { app: "x", tier: "y" } });
    expect(items).toEqual([
      { apiVersion: "v1", kind: "Secret", metadata: { name: "a" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "b" } },
    ]);
    expect(resourceVersion).toBe("20");
    expect(seen.map((s) => decodeURIComponent(s.url))).toEqual(["/api/v1/namespaces/ns/secrets?labelSelector=app=x,tier=y&limit=500", "/api/v1/namespaces/ns/secrets?labelSelector=app=x,tier=y&limit=500&continue=p2"]);
  });

  it("watches without a deadline, delivering events until the server ends the stream", async () => {
    let finish!: () => void;
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } })}\n`);
      // Longer than the request timeout: a watch must survive it.
      finish = () => res.end(`${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, message: "too old resource version" } })}\n`);
    });
    const events: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void client(url, 100).watch(KINDS.Job, { resourceVersion: "1" }, (type, object) => {
        events.push(`${type} ${object.metadata?.name}`);
        setTimeout(finish, 300);
      }, resolve);
    });
    const err = await ended;
    expect(events).toEqual(["ADDED a"]);
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Invalid).status).toBe(410);
    expect(seen[0]!.url).toMatch(/^\/apis\/batch\/v1\/namespaces\/ns\/jobs\?watch=true&allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=(\d+)$/);
    const timeoutSeconds = Number(/timeoutSeconds=(\d+)/.exec(seen[0]!.url)![1]);
    expect(timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(timeoutSeconds).toBeLessThan(600);
  });
});
