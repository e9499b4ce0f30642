// The project's OCI distribution client: just what pushing an assembled image needs, for any registry
// (docker-registry, Harbor, GHCR, ECR, Docker Hub, ...). Uses the platform fetch; no dependencies.
//
// Auth: requests go out anonymously (or with the Basic/Bearer credentials learnt for the scope), and a 401
// challenge is answered once: Basic → the configured user/password; Bearer → a token from the challenge's
// realm for the request's scope, fetched with the user/password when there are some.
// Retries: network errors, 5xx, 429 and 408 are retried with backoff; a blob upload is retried as a whole
// (a new upload session), because a failed session cannot be trusted to continue.
import { backoffDelay, isRetryableStatus } from "./backoff.ts";
import { parseChallenge } from "./challenge.ts";
import type { Credentials } from "./docker-config.ts";
import { RegistryError } from "./errors.ts";
import { MANIFEST_ACCEPT } from "./media-types.ts";
import { registryBaseUrl } from "./reference.ts";

export interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface RegistryClientOptions {
  /** As in image references: `127.0.0.1:5000`, `ghcr.io`, `docker.io`. */
  registry: string;
  credentials?: Credentials;
  /** Registries (host:port) reached over plain HTTP besides loopback ones. */
  plainHttp?: ReadonlySet<string>;
  /** Blobs larger than this go up in chunks (PATCH), others in one PUT. */
  monolithicMaxBytes?: number;
  chunkBytes?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Called before each retry, for logs. */
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; reason: string }) => void;
}

interface Scope {
  repository: string;
  actions: string;
}

type Auth = { kind: "basic" } | { kind: "bearer"; realm: string; service?: string };

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  readonly #options: Required<Pick<RegistryClientOptions, "monolithicMaxBytes" | "chunkBytes" | "maxAttempts" | "backoffBaseMs" | "backoffMaxMs">> &
    RegistryClientOptions;
  /** How this registry wants to be authenticated, learnt from its first challenge. */
  #auth: Auth | undefined;
  readonly #tokens = new Map<string, string>();
  /** Bytes sent in request bodies, for the build's report. */
  bytesSent = 0;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.baseUrl = registryBaseUrl(options.registry, options.plainHttp);
    this.#options = {
      monolithicMaxBytes: 32 << 20,
      chunkBytes: 16 << 20,
      maxAttempts: 4,
      backoffBaseMs: 250,
      backoffMaxMs: 5_000,
      ...options,
    };
  }

  /** `GET /v2/`: reachable, speaks the distribution API, and (if it asks) accepts our credentials. */
  async ping(): Promise<void> {
    const res = await this.#send("ping", "GET", "/v2/", { scopes: [] });
    await this.#expect("ping", res, [200]);
  }

  /** The blob's size if the repository has it, else undefined. */
  async blobSize(repository: string, digest: string): Promise<number | undefined> {
    const op = `HEAD blob ${repository}@${digest}`;
    const res = await this.#send(op, "HEAD", `/v2/${repository}/blobs/${digest}`, { scopes: [pull(repository)] });
    if (res.status === 404) return undefined;
    await this.#expect(op, res, [200]);
    return Number(res.headers.get("content-length") ?? "0");
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const op = `GET blob ${repository}@${digest}`;
    const res = await this.#send(op, "GET", `/v2/${repository}/blobs/${digest}`, { scopes: [pull(repository)] });
    await this.#expect(op, res, [200], { readBody: true });
    return Buffer.from(await res.arrayBuffer());
  }

  /** Cross-repository mount: true when the registry linked the blob, false when it opened an upload instead
   * (the caller then uploads; the opened session is cancelled). */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const op = `mount ${digest} from ${from} into ${repository}`;
    const query = new URLSearchParams({ mount: digest, from });
    const res = await this.#send(op, "POST", `/v2/${repository}/blobs/uploads/?${query}`, { scopes: [push(repository), pull(from)] });
    if (res.status === 201) return true;
    await this.#expect(op, res, [202]);
    const location = res.headers.get("location");
    if (location) await this.#send(`cancel ${op}`, "DELETE", this.#resolve(location), { scopes: [push(repository)], retry: false }).catch(() => undefined);
    return false;
  }

  /** Uploads a blob unless the repository has it; returns whether bytes were sent. */
  async pushBlob(repository: string, blob: Blob, options: { mountFrom?: string } = {}): Promise<"exists" | "mounted" | "uploaded"> {
    if ((await this.blobSize(repository, blob.digest)) !== undefined) return "exists";
    if (options.mountFrom && options.mountFrom !== repository && (await this.mountBlob(repository, blob.digest, options.mountFrom))) return "mounted";
    await this.#withRetry(`upload ${repository}@${blob.digest}`, () =>
      blob.size > this.#options.monolithicMaxBytes ? this.#uploadChunked(repository, blob) : this.#uploadMonolithic(repository, blob),
    );
    return "uploaded";
  }

  /** The digest of `reference` (a tag or a digest) if it exists, else undefined. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const op = `HEAD manifest ${repository}:${reference}`;
    const res = await this.#send(op, "HEAD", `/v2/${repository}/manifests/${reference}`, { scopes: [pull(repository)], headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) return undefined;
    await this.#expect(op, res, [200]);
    return res.headers.get("docker-content-digest") ?? undefined;
  }

  async getManifest(repository: string, reference: string): Promise<{ mediaType: string; bytes: Buffer; digest: string | undefined }> {
    const op = `GET manifest ${repository}:${reference}`;
    const res = await this.#send(op, "GET", `/v2/${repository}/manifests/${reference}`, { scopes: [pull(repository)], headers: { accept: MANIFEST_ACCEPT } });
    await this.#expect(op, res, [200], { readBody: true });
    return {
      mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim(),
      bytes: Buffer.from(await res.arrayBuffer()),
      digest: res.headers.get("docker-content-digest") ?? undefined,
    };
  }

  /** PUT the manifest under `reference` (tag or digest); returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const op = `PUT manifest ${repository}:${reference}`;
    const res = await this.#send(op, "PUT", `/v2/${repository}/manifests/${reference}`, {
      scopes: [push(repository)],
      headers: { "content-type": mediaType },
      body: bytes,
    });
    await this.#expect(op, res, [201]);
    return res.headers.get("docker-content-digest") ?? "";
  }

  async #uploadMonolithic(repository: string, blob: Blob): Promise<void> {
    const location = await this.#startUpload(repository);
    location.searchParams.set("digest", blob.digest);
    const op = `PUT blob ${repository}@${blob.digest}`;
    const res = await this.#send(op, "PUT", location, {
      scopes: [push(repository)],
      headers: { "content-type": "application/octet-stream" },
      body: blob.bytes,
      retry: false,
    });
    await this.#expect(op, res, [201]);
  }

  async #uploadChunked(repository: string, blob: Blob): Promise<void> {
    let location = await this.#startUpload(repository);
    const size = this.#options.chunkBytes;
    for (let start = 0; start < blob.size; start += size) {
      const chunk = blob.bytes.subarray(start, Math.min(start + size, blob.size));
      const op = `PATCH blob ${repository}@${blob.digest} bytes ${start}-${start + chunk.length - 1}`;
      const res = await this.#send(op, "PATCH", location, {
        scopes: [push(repository)],
        headers: { "content-type": "application/octet-stream", "content-range": `${start}-${start + chunk.length - 1}` },
        body: chunk,
        retry: false,
      });
      await this.#expect(op, res, [202]);
      location = this.#resolve(res.headers.get("location") ?? location.href);
    }
    location.searchParams.set("digest", blob.digest);
    const op = `PUT blob ${repository}@${blob.digest} (end of chunked upload)`;
    const res = await this.#send(op, "PUT", location, { scopes: [push(repository)], retry: false });
    await this.#expect(op, res, [201]);
  }

  async #startUpload(repository: string): Promise<URL> {
    const op = `start upload to ${repository}`;
    const res = await this.#send(op, "POST", `/v2/${repository}/blobs/uploads/`, { scopes: [push(repository)], retry: false });
    await this.#expect(op, res, [202]);
    const location = res.headers.get("location");
    if (!location) throw new RegistryError(op, res.status, "", "the registry sent no Location for the upload");
    return this.#resolve(location);
  }

  /** Location headers may be absolute or relative to the registry (distribution sends either). */
  #resolve(location: string): URL {
    return new URL(location, this.baseUrl);
  }

  /** One request, with auth (answering one challenge) and, unless `retry: false`, retries. */
  async #send(
    operation: string,
    method: string,
    target: string | URL,
    init: { scopes: Scope[]; headers?: Record<string, string>; body?: Buffer; retry?: boolean },
  ): Promise<Response> {
    const url = typeof target === "string" ? new URL(target, this.baseUrl) : target;
    const attempt = async () => {
      const sent = this.#authorization(init.scopes);
      let res = await this.#fetch(method, url, init, sent);
      if (res.status === 401) {
        // Requests run side by side: another one may have learnt the auth while this one was out.
        const current = this.#authorization(init.scopes);
        if (current !== sent) {
          await res.body?.cancel();
          res = await this.#fetch(method, url, init, current);
        } else if (await this.#learnAuth(operation, res, init.scopes)) {
          res = await this.#fetch(method, url, init, this.#authorization(init.scopes));
        }
      }
      return res;
    };
    return init.retry === false ? attempt() : this.#withRetry(operation, attempt);
  }

  async #fetch(method: string, url: URL, init: { headers?: Record<string, string>; body?: Buffer }, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    // Credentials go to the registry's own origin only: a Location pointing elsewhere (a hostile
    // registry, or a man in the middle on plain HTTP) must not receive them.
    if (authorization && url.origin === new URL(this.baseUrl).origin) headers.authorization = authorization;
    if (init.body) this.bytesSent += init.body.length;
    const res = await fetch(url, { method, headers, body: init.body, redirect: "follow" });
    return res;
  }

  #authorization(scopes: Scope[]): string | undefined {
    if (!this.#auth) return undefined;
    if (this.#auth.kind === "basic") {
      const c = this.#options.credentials;
      return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` : undefined;
    }
    const token = this.#tokens.get(scopeKey(scopes));
    return token ? `Bearer ${token}` : undefined;
  }

  /** Reads the challenge of a 401; true when we now have something new to send. */
  async #learnAuth(operation: string, res: Response, scopes: Scope[]): Promise<boolean> {
    // When nothing new can be sent, the 401 stands and its body tells the caller why.
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    if (challenge?.scheme === "basic") {
      if (this.#auth?.kind === "basic" || !this.#options.credentials) return false;
      this.#auth = { kind: "basic" };
    } else if (challenge?.scheme === "bearer" && challenge.params.realm) {
      const key = scopeKey(scopes);
      if (this.#tokens.has(key)) return false; // the token we sent was refused: do not loop
      const auth = { kind: "bearer" as const, realm: challenge.params.realm, service: challenge.params.service };
      this.#tokens.set(key, await this.#fetchToken(operation, auth, scopes));
      this.#auth = auth;
    } else {
      return false;
    }
    await res.body?.cancel();
    return true;
  }

  /** Docker token protocol: GET realm?service=...&scope=repository:<name>:<actions> (one scope per repo). */
  async #fetchToken(operation: string, auth: { realm: string; service?: string }, scopes: Scope[]): Promise<string> {
    const url = new URL(auth.realm);
    if (auth.service) url.searchParams.set("service", auth.service);
    for (const s of scopes) url.searchParams.append("scope", `repository:${s.repository}:${s.actions}`);
    const c = this.#options.credentials;
    // The password only travels encrypted, to the registry itself (a plain-HTTP registry the
    // configuration already trusts with it), or within this machine.
    const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    if (c && url.protocol !== "https:" && url.origin !== new URL(this.baseUrl).origin && !loopback) {
      throw new Error(`token realm ${url.origin}${url.pathname} for ${operation} is neither https nor ${new URL(this.baseUrl).origin}: refusing to send the credentials of ${JSON.stringify(c.username)} there`);
    }
    const headers: Record<string, string> = c ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` } : {};
    const res = await this.#withRetry(`token for ${operation}`, () => fetch(url, { headers }));
    if (!res.ok) {
      const hint = c ? `the token service refused the credentials of user ${JSON.stringify(c.username)}` : "no credentials configured for this registry";
      throw new RegistryError(`token from ${url.origin}${url.pathname} for ${operation}`, res.status, await res.text(), hint);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token from ${url.origin}${url.pathname}: the answer has no token`);
    return token;
  }

  /** Fails with a RegistryError unless `res` has one of the expected statuses. */
  async #expect(operation: string, res: Response, ok: number[], options: { readBody?: boolean } = {}): Promise<void> {
    if (ok.includes(res.status)) {
      // Unread bodies keep the connection busy: drop them unless the caller reads this one.
      if (!options.readBody) await res.body?.cancel();
      return;
    }
    const body = await res.text().catch(() => "");
    const c = this.#options.credentials;
    const hint =
      res.status === 401
        ? c
          ? `${this.registry} refused the credentials of user ${JSON.stringify(c.username)}`
          : `${this.registry} requires credentials and none are configured for it`
        : res.status === 403
          ? `the credentials have no permission for this on ${this.registry}`
          : "";
    throw new RegistryError(`${operation} on ${this.registry}`, res.status, body, hint);
  }

  /** Runs `fn` until it succeeds, fails for good, or runs out of attempts. A Response with a retryable
   * status counts as a failure; the last one is returned as is for the caller to report. */
  async #withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        const result = await fn();
        if (!(result instanceof Response) || !isRetryableStatus(result.status) || attempt >= this.#options.maxAttempts) return result;
        reason = `HTTP ${result.status}`;
        await result.body?.cancel();
      } catch (err) {
        const retryable = !(err instanceof RegistryError) || isRetryableStatus(err.status);
        if (!retryable || attempt >= this.#options.maxAttempts) throw withCause(err, operation, this.registry);
        reason = describe(err);
      }
      const delayMs = backoffDelay(attempt, this.#options.backoffBaseMs, this.#options.backoffMaxMs);
      this.#options.onRetry?.({ operation, attempt, delayMs, reason });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

const pull = (repository: string): Scope => ({ repository, actions: "pull" });
const push = (repository: string): Scope => ({ repository, actions: "pull,push" });
const scopeKey = (scopes: Scope[]) => scopes.map((s) => `${s.repository}:${s.actions}`).join(" ");

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (!e.cause) return e.message;
  return [e.cause.code, e.cause.message].filter(Boolean).join(": ");
}

/** fetch's "fetch failed" says nothing: name the registry, the operation and the network error. */
function withCause(err: unknown, operation: string, registry: string): Error {
  if (err instanceof RegistryError) return err;
  return new Error(`${operation} on ${registry}: ${describe(err)}`, { cause: err });
}
