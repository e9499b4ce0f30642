import { KubeConfig } from "@fireworkers/kube";
import { describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createKube } from "./store/kube.ts";

// No Kubernetes or S3 here: both point at a closed port, which is what the public routes, the 404 envelope
// and authentication-free refusals must not need.
function offlineApp() {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:9", skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  const config = loadConfig({ S3_BUCKET: "b", S3_ENDPOINT: "http://127.0.0.1:9", LOG_LEVEL: "silent" });
  return buildApp({ config, kube: createKube("ns", kc) });
}

describe("fake-cf-api (offline)", () => {
  it("answers /healthz, and /readyz says 503 with the failing dependency when Kubernetes and S3 are unreachable", async () => {
    const app = offlineApp();
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().status).toBe("unavailable");
    await app.close();
  });

  it("answers unknown routes with Cloudflare's 7003 envelope", async () => {
    const app = offlineApp();
    const res = await app.inject({ method: "POST", url: "/client/v4/nope?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ success: false, errors: [{ code: 7003, message: "No route for that URI" }], messages: [], result: null });
    expect(res.headers["x-request-id"]).toBeTruthy();
    await app.close();
  });

  it("refuses a request without a bearer token with 10000 before touching Kubernetes", async () => {
    const app = offlineApp();
    const res = await app.inject({ url: "/client/v4/accounts/acc/workers/services/hello" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ success: false, errors: [{ code: 10000, message: "Authentication error" }] });
    await app.close();
  });

  it("answers 5xx in the envelope when Kubernetes is unreachable", async () => {
    const app = offlineApp();
    const res = await app.inject({ url: "/client/v4/user/tokens/verify", headers: { authorization: "Bearer fwk_x" } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ success: false, errors: [{ code: 10013 }], result: null });
    await app.close();
  });

  it("publishes an OpenAPI document built from the route schemas, and Prometheus metrics", async () => {
    const app = offlineApp();
    await app.ready();
    const doc = (await app.inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.0.3");
    const upload = doc.paths["/client/v4/accounts/{accountId}/workers/scripts/{scriptName}"].put;
    expect(upload.requestBody.content["multipart/form-data"].schema.properties.metadata.properties.main_module).toBeDefined();
    expect(doc.paths["/client/v4/accounts/{accountId}/workers/scripts/{scriptName}/deployments"].post.requestBody).toBeDefined();
    expect(app.apiRoutes.length).toBeGreaterThan(30);
    await app.inject({ url: "/client/v4/nope" });
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/fake_cf_api_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(metrics).toMatch(/fake_cf_api_errors_total\{code="7003"\} 1/);
    await app.close();
  });
});
