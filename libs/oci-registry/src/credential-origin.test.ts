// A hostile registry cannot be made from a real one, so tiny local HTTP servers play it: "the registry"
// asks for credentials, then points an upload at another origin (a second server that records whether
// the credentials reached it) or its token realm at another machine over plain HTTP.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RegistryClient } from "./client.ts";

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

type Answer = { status: number; headers?: Record<string, string> };

async function serve(handler: (req: IncomingMessage) => Answer): Promise<string> {
  const server = createServer(async (req, res) => {
    for await (const _ of req); // drain the body
    const { status, headers } = handler(req);
    res.writeHead(status, headers).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const bytes = Buffer.from("layer bytes");
const blob = { digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length, bytes };
const credentials = { username: "ci", password: "s3cret" };

describe("registry credentials", () => {
  it("are not sent to an upload Location on another origin", async () => {
    const seenElsewhere: (string | undefined)[] = [];
    const elsewhere = await serve((req) => {
      seenElsewhere.push(req.headers.authorization);
      return { status: 201 };
    });
    const registry = await serve((req): Answer => {
      if (!req.headers.authorization) return { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } };
      if (req.method === "HEAD") return { status: 404 };
      return { status: 202, headers: { location: `http://${elsewhere}/upload/1` } };
    });
    const client = new RegistryClient({ registry, credentials, maxAttempts: 1 });
    await client.pushBlob("team/app", blob);
    expect(seenElsewhere).toEqual([undefined]);
  });

  it("are not sent to a plain-HTTP token realm on another machine", async () => {
    // The client refuses before any request: the .invalid host is never looked up.
    const registry = await serve(() => ({ status: 401, headers: { "www-authenticate": 'Bearer realm="http://auth.registry.invalid/token",service="r"' } }));
    const client = new RegistryClient({ registry, credentials, maxAttempts: 1 });
    await expect(client.pushBlob("team/app", blob)).rejects.toThrow(/refusing to send the credentials of "ci"/);
  });
});
