// Streams a multipart script upload to S3 part by part: busboy reads the request, each module goes through
// a sha256/size counter straight into an S3 upload (lib-storage: one PUT for small modules, multipart for
// large ones). At most `uploadConcurrency` modules are in flight; a part that must wait is not read, so the
// request is back-pressured instead of buffered. Memory stays near concurrency x part size whatever the
// script size.
import type { IncomingMessage } from "node:http";
import { createHash } from "node:crypto";
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import busboy from "busboy";
import type { Module } from "@fireworkers/crd-types";
import { moduleKey } from "@fireworkers/storage";
import type { UploadLimits } from "../config.ts";
import { moduleName, moduleTypeOf } from "../domain/modules.ts";
import { DomainError, Invalid, TooLarge } from "../domain/errors.ts";

export interface StreamedUpload {
  /** The `metadata` part, as text (undefined when the body had none). */
  metadataText: string | undefined;
  modules: Module[];
}

export interface StreamTarget {
  client: S3Client;
  bucket: string;
  prefix: string;
  limits: UploadLimits;
}

/** Objects an upload wrote (or may have written): the caller deletes them if the version is not kept. */
export type WrittenKeys = string[];

class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Counts bytes (against the whole upload's budget) and hashes them on their way to S3. */
class Digest extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  private readonly budget: { left: number; limit: number };
  constructor(budget: { left: number; limit: number }) {
    super();
    this.budget = budget;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.budget.left -= chunk.length;
    if (this.budget.left < 0) return done(new TooLarge("bytes", this.budget.limit));
    this.size += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
}

export function streamModules(req: IncomingMessage, target: StreamTarget, written: WrittenKeys): Promise<StreamedUpload> {
  const { limits } = target;
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limits.maxScriptBytes + limits.maxMetadataBytes + (1 << 20)) return Promise.reject(new TooLarge("bytes", limits.maxScriptBytes));

  return new Promise<StreamedUpload>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: "utf8",
        limits: { fieldSize: limits.maxMetadataBytes, fields: 16, files: limits.maxModules + 1, parts: limits.maxModules + 17 },
      });
    } catch (err) {
      reject(new Invalid(`request body: ${(err as Error).message} (expected multipart/form-data)`));
      return;
    }

    const slots = new Slots(limits.uploadConcurrency);
    const budget = { left: limits.maxScriptBytes, limit: limits.maxScriptBytes };
    const modules: Module[] = [];
    const names = new Set<string>();
    const tasks: Promise<void>[] = [];
    const open = new Set<NodeJS.ReadableStream & { destroy(err?: Error): void }>();
    let metadataText: string | undefined;
    let failure: unknown;
    let parsed = false;

    const fail = (err: unknown) => {
      if (failure !== undefined) return;
      failure = err;
      req.unpipe(bb);
      // Read and drop the rest of the body so the client gets the answer instead of a reset connection.
      req.resume();
      // The uploads are not aborted: Upload.abort() rejects at once while a PUT already sent may still land
      // in S3 after the caller deleted the written keys. Destroying the module streams fails every upload
      // still reading its body (a multipart one aborts its parts), and one whose body was complete is let
      // finish, so the caller's cleanup runs after every write.
      // Without an error: a stream that is not piped yet would otherwise throw it as uncaught.
      for (const s of open) s.destroy();
      void Promise.allSettled(tasks).then(() => reject(failure));
    };

    bb.on("field", (field, value, info) => {
      if (field !== "metadata") return fail(new Invalid(`part '${field}' is not a module (no filename) and not 'metadata'`));
      if (info.valueTruncated) return fail(new Invalid(`metadata is larger than ${limits.maxMetadataBytes} bytes`));
      metadataText = value;
    });

    bb.on("file", (field, stream, info) => {
      if (failure !== undefined) return stream.resume();
      let name: string;
      try {
        name = moduleName(field);
      } catch (err) {
        stream.resume();
        return fail(new Invalid(`part ${JSON.stringify(field)}: ${(err as Error).message}`));
      }
      const type = moduleTypeOf(info.mimeType);
      if (!type) {
        stream.resume();
        return fail(new Invalid(`part '${name}': unsupported content type '${info.mimeType}'`));
      }
      if (names.has(name)) {
        stream.resume();
        return fail(new Invalid(`part '${name}': duplicate module name`));
      }
      // Modules become files (in S3 and in the image layer): "lib" and "lib/x.js" cannot both exist.
      const clash = [...names].find((other) => other.startsWith(`${name}/`) || name.startsWith(`${other}/`));
      if (clash) {
        stream.resume();
        return fail(new Invalid(`part '${name}': module '${clash}' is also the directory of the other`));
      }
      if (names.size >= limits.maxModules) {
        stream.resume();
        return fail(new TooLarge("modules", limits.maxModules));
      }
      names.add(name);
      open.add(stream);
      stream.on("error", () => undefined); // pipeline() reports errors of piped streams; this covers the rest
      stream.once("close", () => open.delete(stream));
      const key = moduleKey(target.prefix, name);
      written.push(key);
      tasks.push(
        (async () => {
          await slots.take();
          try {
            if (failure !== undefined) {
              stream.resume();
              return;
            }
            const digest = new Digest(budget);
            const body = new PassThrough();
            const upload = new Upload({
              client: target.client,
              params: { Bucket: target.bucket, Key: key, Body: body, ContentType: info.mimeType },
              partSize: limits.s3PartBytes,
              queueSize: limits.s3QueueSize,
              leavePartsOnError: false,
            });
            await Promise.all([pipeline(stream, digest, body), upload.done()]);
            modules.push({ name, type, sha256: digest.hash.digest("hex"), size: digest.size });
          } catch (err) {
            stream.resume();
            fail(err instanceof DomainError ? err : new S3WriteError(err));
          } finally {
            slots.give();
          }
        })(),
      );
    });

    bb.on("partsLimit", () => fail(new TooLarge("modules", limits.maxModules)));
    bb.on("filesLimit", () => fail(new TooLarge("modules", limits.maxModules)));
    bb.on("fieldsLimit", () => fail(new Invalid("too many non-file parts")));
    bb.on("error", (err) => fail(new Invalid(`malformed multipart body: ${(err as Error).message}`)));
    bb.on("close", () => {
      parsed = true;
      void Promise.all(tasks).then(
        () => {
          if (failure === undefined) resolve({ metadataText, modules: orderLike(modules, names) });
        },
        () => undefined,
      );
    });
    req.on("aborted", () => fail(new Invalid("the client aborted the upload")));
    req.on("close", () => {
      if (!parsed && !req.complete) fail(new Invalid("the client aborted the upload"));
    });
    req.pipe(bb);
  });
}

/** Modules in the order of their parts (uploads finish in any order). */
function orderLike(modules: Module[], names: Set<string>): Module[] {
  const order = [...names];
  return [...modules].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

/** S3 refused or failed a write: the API answers 5xx (wrangler retries uploads). */
export class S3WriteError extends Error {
  constructor(cause: unknown) {
    super(`S3 write failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "S3WriteError";
    this.cause = cause;
  }
}
