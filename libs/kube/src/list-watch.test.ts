// Against a real local HTTP server playing the apiserver's list and watch answers (plain HTTP, no
// certificates); the apps' integration tests run the cache against the real kube-apiserver.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { KubeClient } from "./client.ts";
import { KINDS, type Secret } from "./kinds.ts";
import { ListWatch, type ListWatchEvent } from "./list-watch.ts";

const servers: Server[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const secret = (name: string, resourceVersion: string): Secret => ({ metadata: { name, resourceVersion } });
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;

/** Serves lists from `lists` and watches from `watches` in order; records each request's URL. */
async function apiserver(lists: Secret[][], watches: ((res: ServerResponse) => void)[]) {
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url ?? "");
    if (!req.url?.includes("watch=true")) {
      const items = lists.shift() ?? [];
      res.end(JSON.stringify({ metadata: { resourceVersion: items.at(-1)?.metadata?.resourceVersion ?? "1" }, items }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    const next = watches.shift();
    if (next) next(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return { client: new KubeClient(kc, { namespace: "ns", fieldManager: "test" }), urls };
}

function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}

describe("ListWatch", () => {
  it("fills the cache from the list, applies watch events, and resumes a closed watch from the last version", async () => {
    const { client, urls } = await apiserver(
      [[secret("a", "5"), secret("b", "6")]],
      [
        (res) => res.end(line("MODIFIED", secret("a", "7")) + line("ADDED", secret("c", "8")) + line("DELETED", secret("b", "9")) + line("BOOKMARK", { metadata: { resourceVersion: "10" } })),
        () => undefined, // the resumed watch stays open
      ],
    );
    const events: string[] = [];
    const lw = new ListWatch(client, KINDS.Secret, { onEvent: (e: ListWatchEvent, o) => events.push(`${e} ${o.metadata?.name}@${o.metadata?.resourceVersion}`) });
    stops.push(() => lw.stop());
    await lw.start();
    expect(lw.list().map((s) => s.metadata?.name)).toEqual(["a", "b"]);
    await until(() => urls.length === 3, "the resumed watch");
    expect(events).toEqual(["add a@5", "add b@6", "update a@7", "add c@8", "delete b@9"]);
    expect(lw.list().map((s) => `${s.metadata?.name}@${s.metadata?.resourceVersion}`)).toEqual(["a@7", "c@8"]);
    expect(urls[1]).toContain("resourceVersion=6");
    expect(urls[2]).toContain("resourceVersion=10");
  });

  it("relists after a failed watch (410 Gone), with deletes for what disappeared meanwhile", async () => {
    const { client, urls } = await apiserver(
      [[secret("a", "5"), secret("b", "6")], [secret("b", "6"), secret("d", "20")]],
      [(res) => res.end(line("ERROR", { kind: "Status", code: 410, message: "too old resource version" })), () => undefined],
    );
    const events: string[] = [];
    const errors: string[] = [];
    const lw = new ListWatch(client, KINDS.Secret, {
      onEvent: (e, o) => events.push(`${e} ${o.metadata?.name}`),
      onError: (err, retryInMs) => errors.push(`${(err as Error).name} ${retryInMs}`),
      initialBackoffMs: 10,
    });
    stops.push(() => lw.stop());
    await lw.start();
    await until(() => urls.length === 4, "the relist and its watch");
    expect(errors).toEqual(["Invalid 10"]);
    expect(events).toEqual(["add a", "add b", "add d", "delete a"]);
    expect(lw.list().map((s) => s.metadata?.name)).toEqual(["b", "d"]);
    expect(urls[3]).toContain("resourceVersion=20");
  });
});
