import { describe, expect, it } from "vitest";
import { startHealthServer } from "./health-server.ts";

describe("health server", () => {
  it("answers /healthz, /readyz from the given checks, extra routes, and 404 otherwise", async () => {
    let ready = false;
    const h = await startHealthServer({
      host: "127.0.0.1",
      port: 0,
      ready: () => ready,
      routes: { "/metrics": async () => ({ contentType: "text/plain; version=0.0.4", body: "up 1\n" }) },
    });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${h.port}${path}`);
      expect((await get("/healthz")).status).toBe(200);
      expect((await get("/readyz")).status).toBe(503);
      ready = true;
      expect((await get("/readyz")).status).toBe(200);
      expect(await (await get("/metrics")).text()).toBe("up 1\n");
      expect((await get("/nope")).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
