import { KubeConfig, RequestContext, HttpMethod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { shareConnections } from "./connection.ts";

const ca = (n: number) => Buffer.from(`-----BEGIN CERTIFICATE-----\nfake${n}\n-----END CERTIFICATE-----\n`).toString("base64");

function config(caData: string, token = "t0") {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443", caData }],
    users: [{ name: "u", token }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

async function dispatcherOf(kc: KubeConfig) {
  const ctx = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return { dispatcher: ctx.getDispatcher(), auth: ctx.getHeaders()["Authorization"] };
}

describe("shareConnections", () => {
  it("hands every request the same dispatcher (client-node alone builds one per request)", async () => {
    const plain = config(ca(1));
    expect((await dispatcherOf(plain)).dispatcher).not.toBe((await dispatcherOf(plain)).dispatcher);

    const kc = shareConnections(config(ca(1)));
    const a = await dispatcherOf(kc);
    const b = await dispatcherOf(kc);
    expect(a.dispatcher).toBeDefined();
    expect(b.dispatcher).toBe(a.dispatcher);
    expect(b.auth).toBe("Bearer t0");
  });

  it("builds a new dispatcher when the TLS material changes, and keeps per-request headers", async () => {
    const kc = shareConnections(config(ca(1)));
    const a = await dispatcherOf(kc);
    kc.clusters[0] = { ...kc.clusters[0]!, caData: ca(2) };
    kc.users[0] = { ...kc.users[0]!, token: "t1" };
    const b = await dispatcherOf(kc);
    expect(b.dispatcher).not.toBe(a.dispatcher);
    expect(b.auth).toBe("Bearer t1");
    expect((await dispatcherOf(kc)).dispatcher).toBe(b.dispatcher);
  });
});
