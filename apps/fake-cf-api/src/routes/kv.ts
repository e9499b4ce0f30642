// Workers KV: namespaces (WorkerKVNamespace objects) and their keys and values (S3, through libs/kv-store,
// the same code the bindings gateway serves Workers from). Every KV refusal is Cloudflare's code for it,
// with a message naming the field (libs/kv-store errors.ts), and is answered before anything is written.
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import busboy from "busboy";
import { Type } from "typebox";
import {
  KV_CODES,
  KvError,
  MAX_VALUE_BYTES,
  readAll,
  resolveExpiration,
  validateKey,
  validateListLimit,
  validateMetadata,
  valueTooLarge,
  type KvStore,
  type NamespaceRef,
} from "@fireworkers/kv-store";
import { checkNamespaceId, checkTitle, keyNotFound, namespaceNotFound, namespaceView, pageNamespaces, parseBulkGet, parseBulkWrite, parseKeyNames } from "../domain/kv.ts";
import { ok } from "../http/envelope.ts";
import { accountId, accountParams, answers, anyResult, errorEnvelope } from "../http/schemas.ts";

// Paths are relative to /client/v4/accounts/:accountId (routes/index.ts).
const tags = ["kv"];
// Checked by the handlers (checkNamespaceId, validateKey) so a bad one gets KV's own code, naming the field.
// The id is declared as what it is, so schema-valid input is accepted (the fuzzer checks the document).
const namespaceId = Type.String({ pattern: "^[0-9a-f]{32}$", description: "KV namespace id (32 lowercase hex)." });
const nsParams = Type.Object({ accountId, namespaceId });
const keyParams = Type.Object({ accountId, namespaceId, keyName: Type.String() });
const pageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  order: Type.Optional(Type.String()),
  direction: Type.Optional(Type.String()),
});
const titleBody = Type.Object({ title: Type.Optional(Type.Unknown()) });
const writeQuery = Type.Object({ expiration: Type.Optional(Type.String()), expiration_ttl: Type.Optional(Type.String()) });
const keysQuery = Type.Object({ prefix: Type.Optional(Type.String()), limit: Type.Optional(Type.String()), cursor: Type.Optional(Type.String()) });
/** Cloudflare's limit on a bulk write request. */
const BULK_BODY_LIMIT = 100 * 1024 * 1024;

type NsParams = { accountId: string; namespaceId: string };

export const kvRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { kvNamespaces, kv } = app.stores;
  const auth = { auth: "account" } as const;

  const namespace = async (params: NsParams): Promise<NamespaceRef> => {
    const ns = await kvNamespaces.get(params.accountId, checkNamespaceId(params.namespaceId));
    if (!ns) throw namespaceNotFound();
    return { accountId: params.accountId, namespaceId: ns.metadata.name };
  };

  app.get(
    "/storage/kv/namespaces",
    { config: auth, schema: { summary: "KV namespaces of the account", tags, params: accountParams, querystring: pageQuery, response: answers(anyResult) } },
    async (req) => {
      const { items, resultInfo } = pageNamespaces((await kvNamespaces.list(req.params.accountId)).map(namespaceView), req.query);
      return ok(items, resultInfo);
    },
  );

  app.post(
    "/storage/kv/namespaces",
    { config: auth, schema: { summary: "Create a KV namespace (10014 when the title is taken)", tags, params: accountParams, body: titleBody, response: answers(anyResult) } },
    async (req) => ok(namespaceView(await kvNamespaces.create(req.account, checkTitle(req.body?.title)))),
  );

  app.get(
    "/storage/kv/namespaces/:namespaceId",
    { config: auth, schema: { summary: "One KV namespace", tags, params: nsParams, response: answers(anyResult) } },
    async (req) => {
      const ns = await kvNamespaces.get(req.params.accountId, checkNamespaceId(req.params.namespaceId));
      if (!ns) throw namespaceNotFound();
      return ok(namespaceView(ns));
    },
  );

  app.put(
    "/storage/kv/namespaces/:namespaceId",
    { config: auth, schema: { summary: "Rename a KV namespace", tags, params: nsParams, body: titleBody, response: answers(anyResult) } },
    async (req) => {
      const ns = await kvNamespaces.get(req.params.accountId, checkNamespaceId(req.params.namespaceId));
      if (!ns) throw namespaceNotFound();
      return ok(namespaceView(await kvNamespaces.rename(ns, checkTitle(req.body?.title))));
    },
  );

  app.delete(
    "/storage/kv/namespaces/:namespaceId",
    { config: auth, schema: { summary: "Delete a KV namespace and its data (the operator empties its S3 prefix)", tags, params: nsParams, response: answers(anyResult) } },
    async (req) => {
      const ns = await kvNamespaces.get(req.params.accountId, checkNamespaceId(req.params.namespaceId));
      if (!ns) throw namespaceNotFound();
      await kvNamespaces.delete(ns);
      return ok({});
    },
  );

  app.get(
    "/storage/kv/namespaces/:namespaceId/keys",
    { config: auth, schema: { summary: "Keys of a namespace in UTF-8 byte order (cursor in result_info)", tags, params: nsParams, querystring: keysQuery, response: answers(anyResult) } },
    async (req) => {
      const ref = await namespace(req.params);
      const prefix = req.query.prefix ?? "";
      if (Buffer.byteLength(prefix) > 512) throw new KvError(400, KV_CODES.invalidKey, "prefix: longer than 512 bytes");
      const page = await kv.list(ref, { prefix, limit: validateListLimit(req.query.limit), cursor: req.query.cursor || undefined });
      return { ...ok(page.keys), result_info: { count: page.keys.length, cursor: page.cursor ?? "" } };
    },
  );

  app.put(
    "/storage/kv/namespaces/:namespaceId/bulk",
    { config: auth, bodyLimit: BULK_BODY_LIMIT, schema: { summary: "Write up to 10,000 key-value pairs (all checked before any is written)", tags, params: nsParams, response: answers(anyResult) } },
    async (req) => {
      const ref = await namespace(req.params);
      const entries = parseBulkWrite(req.body, Date.now());
      await kv.putMany(ref, entries);
      return ok({ successful_key_count: entries.length, unsuccessful_keys: [] });
    },
  );

  const bulkDelete = async (req: { params: NsParams; body: unknown }) => {
    const ref = await namespace(req.params);
    const keys = parseKeyNames(req.body);
    await kv.deleteMany(ref, keys);
    return ok({ successful_key_count: keys.length, unsuccessful_keys: [] });
  };
  const deleteSchema = { config: auth, bodyLimit: 16 << 20, schema: { summary: "Delete up to 10,000 keys", tags, params: nsParams, response: answers(anyResult) } };
  app.delete("/storage/kv/namespaces/:namespaceId/bulk", deleteSchema, bulkDelete);
  app.post("/storage/kv/namespaces/:namespaceId/bulk/delete", deleteSchema, bulkDelete);

  app.post(
    "/storage/kv/namespaces/:namespaceId/bulk/get",
    { config: auth, schema: { summary: "Read up to 100 keys (text or json; with metadata on request)", tags, params: nsParams, response: answers(anyResult) } },
    async (req) => {
      const ref = await namespace(req.params);
      const { keys, type, withMetadata } = parseBulkGet(req.body);
      // One JSON answer: at most 25 MiB of values, read one after the other within what is left of that.
      let left = MAX_VALUE_BYTES;
      const values: Record<string, unknown> = Object.create(null);
      for (const [i, key] of keys.entries()) {
        const stored = await kv.get(ref, key);
        if (!stored) {
          values[key] = null;
          continue;
        }
        const bytes = await readAll(stored.body, left, `keys[${i}]`);
        left -= bytes.length;
        let value: unknown = bytes.toString("utf8");
        if (type === "json") {
          try {
            value = JSON.parse(value as string);
          } catch {
            throw new KvError(400, KV_CODES.malformedValue, `keys[${i}]: the value is not JSON`);
          }
        }
        values[key] = withMetadata
          ? { value, metadata: stored.metadata === undefined ? null : JSON.parse(stored.metadata), ...(stored.expiration !== undefined ? { expiration: stored.expiration } : {}) }
          : value;
      }
      return ok({ values });
    },
  );

  // Values: raw bytes in and out, or multipart (value + metadata). Their own content-type handling, so a
  // value of any type streams to S3 and is never parsed.
  await app.register(async (plain) => {
    const values = plain.withTypeProvider<TypeBoxTypeProvider>();
    values.removeAllContentTypeParsers();
    values.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

    values.get(
      "/storage/kv/namespaces/:namespaceId/values/:keyName",
      {
        config: auth,
        schema: {
          summary: "A value (the raw bytes, not an envelope)",
          tags,
          params: keyParams,
          // 200 is the raw value (sent as a stream, never serialized); failures are Cloudflare envelopes.
          response: { 200: { description: "the value's raw bytes" }, "4xx": errorEnvelope, "5xx": errorEnvelope },
        },
      },
      async (req, reply) => {
        const ref = await namespace(req.params);
        const stored = await kv.get(ref, validateKey(req.params.keyName, "key_name"));
        if (!stored) throw keyNotFound();
        if (stored.expiration !== undefined) reply.header("expiration", String(stored.expiration));
        return reply.header("content-type", "application/octet-stream").header("content-length", String(stored.size)).send(stored.body);
      },
    );

    values.delete(
      "/storage/kv/namespaces/:namespaceId/values/:keyName",
      { config: auth, schema: { summary: "Delete a key", tags, params: keyParams, response: answers(anyResult) } },
      async (req) => {
        const ref = await namespace(req.params);
        await kv.delete(ref, validateKey(req.params.keyName, "key_name"));
        return ok({});
      },
    );

    values.put(
      "/storage/kv/namespaces/:namespaceId/values/:keyName",
      { config: auth, schema: { summary: "Write a value: the raw body, or multipart value + metadata (streamed)", tags, params: keyParams, querystring: writeQuery, response: answers(anyResult) } },
      async (req) => {
        const ref = await namespace(req.params);
        const key = validateKey(req.params.keyName, "key_name");
        const expiration = resolveExpiration({ expiration: req.query.expiration, expirationTtl: req.query.expiration_ttl }, Date.now());
        const body = req.body as Readable;
        if (/^multipart\/form-data/i.test(req.headers["content-type"] ?? "")) {
          await putMultipart(kv, ref, key, body, req.headers, expiration);
        } else {
          const length = req.headers["content-length"];
          await kv.put(ref, key, body, { expiration }, length === undefined ? undefined : Number(length));
        }
        return ok({});
      },
    );
  });
};

/**
 * `kv key put --metadata`: multipart with a `value` part (a field, or a file for --path) and a `metadata` part.
 * A file value streams to S3: straight to the key when the metadata came first, else to a staging object that
 * one server-side copy turns into the key with its metadata (the key never shows one without the other).
 */
function putMultipart(kv: KvStore, ref: NamespaceRef, key: string, body: Readable, headers: IncomingHttpHeaders, expiration: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { fields: 2, files: 1, parts: 2, fieldNameSize: 64, fieldSize: MAX_VALUE_BYTES + 1 } });
    } catch {
      reject(new KvError(400, KV_CODES.malformedValue, "body: malformed multipart/form-data"));
      return;
    }
    let settled = false;
    let metadata: string | undefined;
    let value: Buffer | undefined;
    let streamed: Promise<void> | undefined;
    let staged: ReturnType<KvStore["stage"]> | undefined;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      body.unpipe(parser);
      body.resume();
      void staged?.then((s) => s.abort()).catch(() => undefined);
      reject(err);
    };
    parser.on("field", (name, text, info) => {
      try {
        if (name === "metadata") metadata = validateMetadata(text);
        else if (name === "value") {
          if (info.valueTruncated) throw valueTooLarge(MAX_VALUE_BYTES + 1);
          value = Buffer.from(text, "utf8");
        }
      } catch (err) {
        fail(err);
      }
    });
    parser.on("file", (name, stream) => {
      if (name !== "value" || streamed || staged) {
        stream.resume();
        return;
      }
      if (metadata !== undefined) {
        streamed = kv.put(ref, key, stream, { expiration, metadata });
        streamed.catch(fail);
      } else {
        staged = kv.stage(ref, stream);
        staged.catch(fail);
      }
    });
    parser.on("error", () => fail(new KvError(400, KV_CODES.malformedValue, "body: malformed multipart/form-data")));
    parser.on("close", () => {
      if (settled) return;
      void (async () => {
        if (value !== undefined) await kv.put(ref, key, value, { expiration, metadata });
        else if (streamed) await streamed;
        else if (staged) await (await staged).commit(key, { expiration, metadata });
        else throw new KvError(400, KV_CODES.malformedValue, "value: the multipart body has no value part");
      })().then(() => {
        settled = true;
        resolve();
      }, fail);
    });
    body.pipe(parser);
  });
}
