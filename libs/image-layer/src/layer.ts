// A layer blob: the tar gzipped with fixed settings. Node's zlib writes no name and mtime 0 in the gzip
// header, so the bytes depend only on the tar, the level and the zlib version that ships with Node.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { createTar, type TarEntry } from "./tar.ts";

export interface Layer {
  /** sha256 of the gzipped bytes: the blob's digest in the manifest. */
  digest: string;
  /** sha256 of the uncompressed tar: the diff_id in the image config. */
  diffId: string;
  size: number;
  bytes: Buffer;
  /** Size of the uncompressed tar. */
  tarSize: number;
}

export const GZIP_LEVEL = 6;

export const sha256Digest = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export function createLayer(entries: TarEntry[], level = GZIP_LEVEL): Layer {
  const tar = createTar(entries);
  const bytes = gzipSync(tar, { level, memLevel: 8, windowBits: 15, strategy: 0 });
  return { digest: sha256Digest(bytes), diffId: sha256Digest(tar), size: bytes.length, bytes, tarSize: tar.length };
}
