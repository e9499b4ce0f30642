// The one Kubernetes client of the platform: typed by kind (kinds.ts), every write under the app's field
// manager, every request under a deadline, every failure one of the errors of errors.ts. Requests go
// over undici (client-node's own transport) with the connection and credentials client-node's KubeConfig
// gives (connection.ts), as plain JSON: no generated API classes and their Date conversions.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { HttpMethod, RequestContext, type KubeConfig } from "@kubernetes/client-node";
import { fetch } from "undici";
import { loadKubeConfig, shareConnections } from "./connection.ts";
import { errorFromCause, errorFromStatus, NotFound, Unavailable, type KubeError } from "./errors.ts";
import { KINDS, type Event, type Kind, type KubeObject } from "./kinds.ts";

export interface KubeClientOptions {
  /** The namespace of every namespaced call. */
  namespace: string;
  /** Written as fieldManager on every write and as the reporting component of Events. */
  fieldManager: string;
  /** Deadline of one request (watches have none: they stay open). Default 30 s, like client-go's usual. */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export type LabelSelector = string | Record<string, string>;

/** Every call takes a signal: a reconcile's deadline or a lost leadership ends its requests at once. */
export interface CallOptions {
  /** Aborts the request (combined with the client's request deadline); the call fails as Unavailable. */
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  labelSelector?: LabelSelector;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  /** The apiserver ends the watch after this long. Default: 5 to 10 minutes, at random. */
  timeoutSeconds?: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface Watching {
  /** Ends the watch; `done` is called with no error. */
  stop(): void;
}

type PatchType = "apply" | "merge";
const CONTENT_TYPE: Record<PatchType, string> = {
  apply: "application/apply-patch+yaml",
  merge: "application/merge-patch+json",
};

interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** For messages: "get Secret/x". */
  what: string;
  signal?: AbortSignal;
}

export class KubeClient {
  readonly namespace: string;
  readonly fieldManager: string;
  readonly config: KubeConfig;
  private readonly requestTimeoutMs: number;

  constructor(config: KubeConfig, options: KubeClientOptions) {
    this.config = shareConnections(config);
    this.namespace = options.namespace;
    this.fieldManager = options.fieldManager;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** KUBECONFIG (or ~/.kube/config), else the pod's service account; one keep-alive connection for all requests. */
  static fromDefault(options: KubeClientOptions): KubeClient {
    return new KubeClient(loadKubeConfig(), options);
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(kind: Kind<T>, name: string, options: CallOptions = {}): Promise<T | undefined> {
    try {
      return await this.send<T>({ method: "GET", path: this.path(kind, name), what: `get ${kind.kind}/${name}`, signal: options.signal });
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  /** Every object of the kind (all pages), and the list's resourceVersion to watch from. */
  async list<T extends KubeObject>(kind: Kind<T>, options: ListOptions = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const labelSelector = selector(options.labelSelector);
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.send<{ items: T[]; metadata?: { resourceVersion?: string; continue?: string } }>({
        method: "GET",
        path: this.path(kind),
        query: { labelSelector, limit: 500, continue: token },
        what: `list ${kind.kind}${labelSelector ? ` ${labelSelector}` : ""}`,
        signal: options.signal,
      });
      // Items of a list carry no apiVersion/kind; callers get whole objects.
      items.push(...page.items.map((item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind })));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  async create<T extends KubeObject>(kind: Kind<T>, object: T, options: CallOptions = {}): Promise<T> {
    return this.send<T>({
      method: "POST",
      path: this.path(kind),
      query: { fieldManager: this.fieldManager },
      body: this.envelope(kind, object),
      what: `create ${kind.kind}/${object.metadata?.name ?? object.metadata?.generateName ?? ""}`,
      signal: options.signal,
    });
  }

  /** Replaces the object; Conflict unless metadata.resourceVersion is still current. */
  async replace<T extends KubeObject>(kind: Kind<T>, object: T, options: CallOptions = {}): Promise<T> {
    const name = nameOf(object);
    return this.send<T>({
      method: "PUT",
      path: this.path(kind, name),
      query: { fieldManager: this.fieldManager },
      body: this.envelope(kind, object),
      what: `replace ${kind.kind}/${name}`,
      signal: options.signal,
    });
  }

  /** Server-side apply of the fields this app manages (force: this app owns them). */
  async apply<T extends KubeObject>(kind: Kind<T>, object: T, options: CallOptions = {}): Promise<T> {
    const name = nameOf(object);
    const body = this.envelope(kind, object);
    return this.patch<T>(kind, name, "apply", { ...body, metadata: { ...body.metadata, managedFields: undefined, resourceVersion: undefined } }, "", options.signal);
  }

  /** Server-side apply of the status subresource. */
  async applyStatus<T extends KubeObject & { status?: unknown }>(kind: Kind<T>, name: string, status: NonNullable<T["status"]>, options: CallOptions = {}): Promise<T> {
    const body = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name }, status };
    return this.patch<T>(kind, name, "apply", body, "/status", options.signal);
  }

  /** A JSON merge patch (RFC 7386): null deletes a field. `subresource: "status"` patches the status. */
  async mergePatch<T extends KubeObject>(kind: Kind<T>, name: string, patch: Record<string, unknown>, options: CallOptions & { subresource?: "status" } = {}): Promise<T> {
    return this.patch<T>(kind, name, "merge", patch, options.subresource ? `/${options.subresource}` : "", options.signal);
  }

  /** Deletes; false when it was already gone. Background propagation leaves dependents to the garbage collector. */
  async delete<T extends KubeObject>(kind: Kind<T>, name: string, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.send({ method: "DELETE", path: this.path(kind, name), body: { propagationPolicy: "Background" }, what: `delete ${kind.kind}/${name}`, signal: options.signal });
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      throw err;
    }
  }

  /** Records a core/v1 Event about `involved` (what `kubectl describe` shows). */
  async event(involved: KubeObject, type: "Normal" | "Warning", reason: string, message: string, options: CallOptions = {}): Promise<Event> {
    const now = new Date().toISOString();
    return this.create(KINDS.Event, {
      metadata: { generateName: `${involved.metadata?.name ?? "object"}.` },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata?.name,
        // Cluster-scoped objects (a CRD, a Namespace) have no namespace; naming one would point at nothing.
        namespace: Object.values(KINDS).some((k) => k.apiVersion === involved.apiVersion && k.kind === involved.kind && !k.namespaced) ? undefined : this.namespace,
        uid: involved.metadata?.uid,
        resourceVersion: involved.metadata?.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.fieldManager },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.fieldManager,
      reportingInstance: process.env.HOSTNAME ?? "local",
    }, options);
  }

  /**
   * Watches the kind from `resourceVersion`: `onEvent` per change, `done` once when the watch ends (the
   * server closes watches after a while; an error says why when it failed). No client deadline: a watch is
   * long-lived by design. Like client-go, it asks the apiserver to end it after 5 to 10 minutes, so that a
   * connection silently lost is noticed and the watch resumed.
   */
  async watch<T extends KubeObject>(
    kind: Kind<T>,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: T) => void,
    done: (err?: KubeError) => void,
  ): Promise<Watching> {
    const controller = new AbortController();
    const what = `watch ${kind.kind}`;
    let ended = false;
    const end = (err?: KubeError) => {
      if (ended) return;
      ended = true;
      controller.abort();
      done(err);
    };
    const query = {
      watch: true,
      allowWatchBookmarks: true,
      resourceVersion: options.resourceVersion,
      labelSelector: selector(options.labelSelector),
      timeoutSeconds: options.timeoutSeconds ?? Math.floor(300 + Math.random() * 300),
    };
    try {
      const response = await this.fetch({ method: "GET", path: this.path(kind), query, what }, controller.signal);
      if (response.status !== 200) {
        end(errorFromStatus(what, response.status, await readBody(response)));
      } else if (response.body) {
        const lines = createInterface(Readable.fromWeb(response.body));
        lines.on("line", (line) => {
          if (!line || ended) return;
          // A garbled line or a throwing handler would be an uncaught exception in this listener: end the
          // watch as Unavailable instead, so the caller (ListWatch) relists.
          try {
            const event = JSON.parse(line) as { type: WatchEventType | "ERROR"; object: T };
            // ERROR carries a metav1.Status (410 Gone when resourceVersion is too old).
            if (event.type === "ERROR") end(errorFromStatus(what, Number((event.object as { code?: number }).code ?? 500), event.object));
            else onEvent(event.type, event.object);
          } catch (err) {
            end(new Unavailable(`${what}: ${err instanceof SyntaxError ? "garbled event" : "event handler failed"}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err }));
          }
        });
        lines.on("close", () => end());
        lines.on("error", (err) => end(controller.signal.aborted ? undefined : errorFromCause(what, err)));
      } else end();
    } catch (err) {
      end(controller.signal.aborted ? undefined : errorFromCause(what, err));
    }
    return { stop: () => end() };
  }

  private patch<T>(kind: Kind, name: string, type: PatchType, body: unknown, subresource: string, signal: AbortSignal | undefined): Promise<T> {
    return this.send<T>({
      method: "PATCH",
      path: this.path(kind, name) + subresource,
      query: { fieldManager: this.fieldManager, force: type === "apply" ? true : undefined },
      body,
      contentType: CONTENT_TYPE[type],
      what: `${type === "apply" ? "apply" : "patch"} ${kind.kind}/${name}${subresource}`,
      signal,
    });
  }

  private envelope<T extends KubeObject>(kind: Kind<T>, object: T) {
    return { ...object, apiVersion: kind.apiVersion, kind: kind.kind, metadata: { ...object.metadata, ...(kind.namespaced ? { namespace: this.namespace } : {}) } };
  }

  private path(kind: Kind, name?: string): string {
    const group = kind.apiVersion.includes("/") ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
    const ns = kind.namespaced ? `/namespaces/${encodeURIComponent(this.namespace)}` : "";
    return `${group}${ns}/${kind.plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  private async send<T>(spec: RequestSpec): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let response;
    let body: unknown;
    try {
      response = await this.fetch(spec, signal);
      body = await readBody(response);
    } catch (err) {
      // The caller's abort is no timeout: say so, for the logs of a reconcile that ran out of time or leadership.
      if (spec.signal?.aborted && !timeout.aborted) throw new Unavailable(`${spec.what}: aborted`, undefined, { cause: err });
      throw errorFromCause(spec.what, err);
    }
    if (response.status >= 300) throw errorFromStatus(spec.what, response.status, body);
    return body as T;
  }

  private async fetch(spec: RequestSpec, signal: AbortSignal) {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/$/, "") + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    // client-node computes the credentials (tokens, exec plugins, client certificates) and the dispatcher.
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    await this.config.applySecurityAuthentication(context);
    const headers: Record<string, string> = { ...context.getHeaders(), accept: "application/json", "user-agent": `fireworkers/${this.fieldManager}` };
    if (spec.body !== undefined) headers["content-type"] = spec.contentType ?? "application/json";
    return fetch(url, {
      method: spec.method,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      dispatcher: context.getDispatcher(),
      signal,
    });
  }
}

async function readBody(response: { text(): Promise<string> }): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function selector(labels: LabelSelector | undefined): string | undefined {
  if (labels === undefined || typeof labels === "string") return labels || undefined;
  return (
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",") || undefined
  );
}

function nameOf(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new Error(`${object.kind ?? "object"} without metadata.name`);
  return name;
}
