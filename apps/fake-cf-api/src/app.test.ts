import { describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";

describe("fake-cf-api", () => {
  it("answers /healthz and /readyz", async () => {
    const app = buildApp({ logLevel: "silent" });
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await app.inject({ url: "/readyz" })).statusCode).toBe(200);
    await app.close();
  });
});
