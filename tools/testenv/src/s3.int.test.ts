import { GetObjectCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, inject, it } from "vitest";
import { s3Client } from "./s3.ts";

const { s3 } = inject("env");

describe("S3 (versitygw)", () => {
  it("refuses a request signed with the wrong secret key", async () => {
    const wrong = s3Client({ ...s3, secretAccessKey: `${s3.secretAccessKey}x` });
    await expect(wrong.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    const right = s3Client(s3);
    const { Buckets } = await right.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain(s3.bucket);
  });

  it("round-trips a 30 MiB multipart upload of unknown length with the same sha256", async () => {
    const client = s3Client(s3);
    const data = randomBytes(30 << 20);
    const chunks = Array.from({ length: 30 }, (_, i) => data.subarray(i << 20, (i + 1) << 20));
    const upload = new Upload({
      client,
      params: { Bucket: s3.bucket, Key: "testenv/multipart.bin", Body: Readable.from(chunks) },
      partSize: 5 << 20,
      queueSize: 4,
    });
    const parts: number[] = [];
    upload.on("httpUploadProgress", (p) => p.part && parts.push(p.part));
    const done = await upload.done();
    expect(new Set(parts).size).toBe(6);
    expect(done.ETag).toMatch(/-6"$/);

    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: "testenv/multipart.bin" }));
    const hash = createHash("sha256");
    for await (const chunk of got.Body as Readable) hash.update(chunk);
    expect(hash.digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
  });
});
