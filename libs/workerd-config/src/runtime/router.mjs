/* global Request, Response, URL -- workerd provides the fetch API */
// The router socket's worker: one entry for every script of the bundle, by Host or by path prefix.
// Its table comes from the config (binding ROUTES = {"scripts": {"<script>": "<binding name>"}}), and the
// host suffix from the pod's environment (FIREWORKERS_HOST_SUFFIX), so the image does not depend on the
// domain it is served under.
import { pickRoute } from "./routing.mjs";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const table = env.ROUTES.scripts;
    const host = request.headers.get("host") ?? url.host;
    const route = pickRoute(host, url.pathname, Object.keys(table), env.HOST_SUFFIX);
    if (!route) {
      return new Response(
        `fireworkers: no worker is deployed for host "${host}" or path "${url.pathname}"\n`,
        { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "x-fireworkers-error": "no-route" } },
      );
    }
    if (route.prefix === null) return env[table[route.script]].fetch(request);
    url.pathname = route.pathname;
    const forwarded = new Request(url, request);
    forwarded.headers.set("x-forwarded-prefix", route.prefix);
    return env[table[route.script]].fetch(forwarded);
  },
};
