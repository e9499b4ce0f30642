// Bearer-token auth (the Docker token protocol, as Docker Hub, GHCR, Harbor and ECR speak it) against a
// real docker-registry configured with `auth.token`: the registry verifies the JWTs itself against the
// certificate below. The token service is this test's own small implementation of that protocol (Basic
// credentials in, an RS256 JWT with the granted `access` out), since no such service ships in Debian.
import { execFileSync } from "node:child_process";
import { createHash, createSign, randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, startProcess, type RunningProcess } from "@fireworkers/testenv";
import { RegistryClient } from "./client.ts";

const { logDir } = inject("env");
const USER = "robot";
const PASSWORD = randomBytes(8).toString("hex");
const SERVICE = "fireworkers-token-test";
const ISSUER = "fireworkers-test-issuer";

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

let registry: RunningProcess;
let tokenServer: Server;
let host = "";
const tokenRequests: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "registry-token-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=fireworkers-token", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  const key = readFileSync(join(dir, "key.pem"), "utf8");
  const certDer = new X509Certificate(readFileSync(join(dir, "cert.pem"))).raw;

  tokenServer = createServer((req, res) => {
    const url = new URL(req.url!, "http://token");
    tokenRequests.push(url.search);
    const [user, password] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString().split(":");
    if (user !== USER || password !== PASSWORD) return void res.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad credentials"}');
    const access = url.searchParams.getAll("scope").map((scope) => {
      const [type, name, actions] = scope.split(":");
      return { type, name, actions: actions!.split(",") };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", x5c: [certDer.toString("base64")] };
    const claims = { iss: ISSUER, sub: USER, aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(signing).sign(key);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `${signing}.${b64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, "127.0.0.1", resolve));
  const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;

  host = `127.0.0.1:${await freePort()}`;
  mkdirSync(join(dir, "data"));
  writeFileSync(
    join(dir, "config.yml"),
    JSON.stringify({
      version: 0.1,
      log: { level: "warn" },
      storage: { filesystem: { rootdirectory: join(dir, "data") } },
      http: { addr: host, secret: randomBytes(8).toString("hex") },
      auth: { token: { realm, service: SERVICE, issuer: ISSUER, rootcertbundle: join(dir, "cert.pem") } },
    }),
  );
  registry = await startProcess({
    name: "registry-token",
    command: "docker-registry",
    args: ["serve", join(dir, "config.yml")],
    logDir,
    ready: async () => (await fetch(`http://${host}/v2/`)).status === 401,
  });
});

afterAll(async () => {
  await registry?.stop();
  tokenServer?.close();
});

const blob = (bytes: Buffer) => ({ digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length, bytes });

describe("RegistryClient with a token-auth registry", () => {
  it("answers the Bearer challenge with a token for the repository scope, then pushes and mounts", async () => {
    const client = new RegistryClient({ registry: host, credentials: { username: USER, password: PASSWORD } });
    await client.ping();
    const b = blob(randomBytes(1000));
    expect(await client.pushBlob("team/base", b)).toBe("uploaded");
    expect(await client.pushBlob("team/app", b, { mountFrom: "team/base" })).toBe("mounted");
    expect(tokenRequests.some((q) => q.includes("scope=repository%3Ateam%2Fapp%3Apull%2Cpush") && q.includes("scope=repository%3Ateam%2Fbase%3Apull"))).toBe(true);
    expect(tokenRequests.every((q) => q.includes(`service=${SERVICE}`))).toBe(true);
  });

  it("says the token service refused the credentials", async () => {
    const client = new RegistryClient({ registry: host, credentials: { username: USER, password: "wrong" } });
    await expect(client.pushBlob("team/x", blob(randomBytes(10)))).rejects.toThrow(/token from http:\/\/127\.0\.0\.1:\d+\/token .*HTTP 401 unauthorized.*refused the credentials of user "robot"/);
  });
});
