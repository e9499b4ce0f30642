/* global Response, Headers -- workerd provides the fetch API */
// fireworkers: the target of every kvNamespace binding of a bundle (platform code, not the tenant's).
// workerd turns a Worker's env.<KV>.get/put/list/delete into HTTP requests to this worker; each binding
// points here with its namespace id in ctx.props. It forwards the call to the bindings gateway (an
// external service of the config) under /kv/<namespace id>/, with the account's credential from the
// pod's environment. The tenant's code never sees the credential, cannot pick the namespace id, and
// cannot reach the gateway otherwise (its own fetch() goes to public addresses only).
const NAMESPACE_ID = /^[0-9a-f]{32}$/;
// Only what workerd's KV protocol sends; nothing else of the request reaches the gateway.
const FORWARDED = ["content-type", "cf-kv-metadata"];

export default {
  async fetch(request, env, ctx) {
    const namespaceId = ctx.props && ctx.props.namespace;
    if (typeof namespaceId !== "string" || !NAMESPACE_ID.test(namespaceId)) {
      return new Response("KV binding without a namespace", { status: 500, statusText: "KV binding without a namespace" });
    }
    if (!env.CREDENTIAL) {
      return new Response("no bindings credential in this pod", { status: 503, statusText: "no bindings credential in this pod" });
    }
    // The path and query exactly as workerd wrote them (the key stays percent-encoded: no URL normalising).
    // (A list has no path: "https://fake-host?prefix=...".)
    const raw = request.url;
    const rest = raw.slice(raw.indexOf("://") + 3);
    const end = rest.search(/[/?]/);
    const tail = end < 0 ? "" : rest.slice(end);
    const pathAndQuery = tail.startsWith("/") ? tail : `/${tail}`;
    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    headers.set("authorization", `Bearer ${env.CREDENTIAL}`);
    const hasBody = request.method === "PUT" || request.method === "POST";
    return env.GATEWAY.fetch(`http://bindings-gateway/kv/${namespaceId}${pathAndQuery}`, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
    });
  },
};
