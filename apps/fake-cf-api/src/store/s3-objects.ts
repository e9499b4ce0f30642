// A version's S3 objects beyond the streaming upload: metadata.json, server-side copies for versions that
// reuse code (secret changes), and deleting everything under a version prefix.
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Module } from "@fireworkers/crd-types";
import { metadataKey, moduleKey } from "@fireworkers/storage";

export class S3Objects {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
  }

  async putMetadata(prefix: string, metadata: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: metadataKey(prefix),
        Body: JSON.stringify(metadata, null, 2),
        ContentType: "application/json",
      }),
    );
  }

  /** Copies modules between two version prefixes inside the bucket, without the bytes passing through here. */
  async copyModules(fromPrefix: string, toPrefix: string, modules: Module[]): Promise<void> {
    for (const m of modules) {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          // Each segment percent-encoded: S3 reads a bare "+" in a copy source as a space.
          CopySource: `${this.bucket}/${moduleKey(fromPrefix, m.name).split("/").map(encodeURIComponent).join("/")}`,
          Key: moduleKey(toPrefix, m.name),
        }),
      );
    }
  }

  /** Deletes every object under a version prefix (best effort is the caller's choice). */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length) {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: chunk, Quiet: true } }));
    }
  }
}
