// A service binding between two scripts of one account: both run in the account's bundle, and the caller's
// `env.BACKEND.fetch()` reaches the callee inside workerd, without leaving the pod.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eContext, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform } = e2eContext();

describe("service binding", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "binding");
  });
  afterAll(async () => tenant?.remove());

  it("the caller gets the callee's answer through env.BACKEND", async () => {
    const callee = plainProject("callee", `export default { fetch(req) { return new Response("callee saw " + new URL(req.url).pathname) } }\n`);
    let r = await tenant.wrangler(writeProject(callee), ["deploy"]);
    expect(r.code, r.output).toBe(0);
    const caller = plainProject(
      "caller",
      `export default { async fetch(req, env) { const res = await env.BACKEND.fetch("http://backend/from-caller"); return new Response("caller got: " + await res.text()) } }\n`,
      `[[services]]\nbinding = "BACKEND"\nservice = "callee"\n`,
    );
    r = await tenant.wrangler(writeProject(caller), ["deploy"]);
    expect(r.code, r.output).toBe(0);
    const body = await untilAnswers(platform.edgeUrl, tenant.host("caller"), (b) => b.startsWith("caller got:"));
    expect(body).toBe("caller got: callee saw /from-caller");
    // The callee still answers on its own host from the same bundle.
    expect(await untilAnswers(platform.edgeUrl, tenant.host("callee"), () => true, 30_000, "/direct")).toBe("callee saw /direct");
  });
});
