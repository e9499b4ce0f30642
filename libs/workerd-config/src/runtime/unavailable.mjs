/* global Response -- workerd provides the fetch API */
// Stands in for what a bundle binds but cannot serve yet: a service binding to a script that is not
// deployed, or a KV namespace (until KV is implemented; reads find nothing, writes fail loudly).
export default {
  async fetch(request, env) {
    if (env.KIND === "kv" && request.method === "GET") return new Response(null, { status: 404 });
    return new Response(`fireworkers: ${env.MESSAGE}\n`, {
      status: env.KIND === "kv" ? 501 : 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
