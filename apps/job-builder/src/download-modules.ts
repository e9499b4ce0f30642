// Fetches every module a bundle embeds from S3 and checks it against the digest and size the WorkerVersion
// recorded at upload: what goes into the image is exactly what was uploaded, or the build fails.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BuildVersion } from "@fireworkers/crd-types";
import { moduleKey } from "@fireworkers/storage";

export interface ModuleToFetch {
  script: string;
  version: BuildVersion;
  name: string;
  sha256: string;
  size: number;
}

export const moduleId = (script: string, versionId: string, name: string) => `${script}/${versionId}/${name}`;

/** Every module of every version, except source maps (workerd does not use them, so the image leaves them out). */
export function modulesToFetch(scripts: { name: string; versions: BuildVersion[] }[]): ModuleToFetch[] {
  return scripts.flatMap((s) =>
    s.versions.flatMap((version) => version.modules.filter((m) => m.type !== "sourcemap").map((m) => ({ script: s.name, version, name: m.name, sha256: m.sha256, size: m.size }))),
  );
}

/** Compares what was read with what was recorded; returns the reason for a mismatch. */
export function checkModule(m: ModuleToFetch, bytes: Buffer): string | undefined {
  if (bytes.length !== m.size) return `size ${bytes.length} bytes, expected ${m.size}`;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== m.sha256) return `sha256 ${sha256}, expected ${m.sha256}`;
  return undefined;
}

export async function downloadModules(s3: S3Client, modules: ModuleToFetch[], concurrency = 8): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  const worker = async () => {
    while (next < modules.length) {
      const m = modules[next++]!;
      const key = moduleKey(m.version.storage.prefix, m.name);
      const where = `module ${m.name} of ${m.script} version ${m.version.versionId} (s3://${m.version.storage.bucket}/${key})`;
      let bytes: Buffer;
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: m.version.storage.bucket, Key: key }));
        bytes = await readAll(res.Body as Readable, m.size, where);
      } catch (err) {
        throw new Error(`cannot read ${where}: ${(err as Error).message}`, { cause: err });
      }
      const mismatch = checkModule(m, bytes);
      if (mismatch) throw new Error(`checksum mismatch for ${where}: ${mismatch}; the object changed after upload or is corrupt`);
      out.set(moduleId(m.script, m.version.versionId, m.name), bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, modules.length) }, worker));
  return out;
}

/** Reads a body, but stops early when it is larger than recorded (a corrupt object cannot exhaust memory). */
async function readAll(body: Readable, expected: number, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > expected) {
      body.destroy();
      throw new Error(`checksum mismatch for ${where}: more than the ${expected} bytes recorded`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
