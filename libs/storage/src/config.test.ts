import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { createS3Client, s3ConfigFromEnv } from "./config.ts";

describe("S3 config", () => {
  it("reads the timeouts from the environment, with defaults, and refuses nonsense", () => {
    expect(s3ConfigFromEnv({ S3_BUCKET: "b" })).toMatchObject({ connectTimeoutMs: 5_000, requestTimeoutMs: 120_000 });
    expect(s3ConfigFromEnv({ S3_BUCKET: "b", S3_CONNECT_TIMEOUT_MS: "250", S3_REQUEST_TIMEOUT_MS: "1000" })).toMatchObject({ connectTimeoutMs: 250, requestTimeoutMs: 1_000 });
    expect(() => s3ConfigFromEnv({ S3_BUCKET: "b", S3_REQUEST_TIMEOUT_MS: "0" })).toThrow(/S3_REQUEST_TIMEOUT_MS/);
    expect(() => s3ConfigFromEnv({ S3_BUCKET: "b", S3_CONNECT_TIMEOUT_MS: "soon" })).toThrow(/S3_CONNECT_TIMEOUT_MS/);
  });

  // A loopback socket that accepts and never answers is the hung S3 here: no S3 implementation can be
  // told to hang, and this is what a stuck load balancer or a wedged server looks like to the client.
  it("fails a request to an S3 that accepts the connection and never answers, instead of waiting forever", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const s3 = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      bucket: "b",
      accessKeyId: "k",
      secretAccessKey: "s",
      forcePathStyle: true,
      requestTimeoutMs: 300,
    });
    try {
      await expect(s3.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }))).rejects.toThrow(/timeout/i);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      s3.destroy();
      for (const s of sockets) s.destroy();
      server.close();
    }
  }, 15_000);
});
