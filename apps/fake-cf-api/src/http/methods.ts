// Which methods a path answers: undeclared methods on a known path get 405 with an Allow header
// (RFC 9110 §15.5.6) instead of the "no route" 404, so a client can tell a wrong verb from a wrong URL.
// Pure: built from the route templates Fastify registered (":param" segments match any one segment).

export interface RouteTemplate {
  method: string;
  url: string;
}

/** A function from a request path (no query) to the methods allowed on it, or undefined for an unknown path. */
export function allowedMethods(routes: readonly RouteTemplate[]): (path: string) => string[] | undefined {
  const byTemplate = new Map<string, Set<string>>();
  for (const r of routes) {
    const methods = byTemplate.get(r.url) ?? new Set<string>();
    methods.add(r.method.toUpperCase());
    // Fastify answers HEAD on every GET route (exposeHeadRoutes).
    if (r.method.toUpperCase() === "GET") methods.add("HEAD");
    byTemplate.set(r.url, methods);
  }
  const matchers = [...byTemplate].map(([url, methods]) => ({ segments: url.split("/"), methods }));
  return (path) => {
    const segments = path.split("/");
    const allowed = new Set<string>();
    for (const m of matchers) {
      if (m.segments.length !== segments.length) continue;
      if (m.segments.every((s, i) => (s.startsWith(":") ? segments[i] !== "" : s === segments[i]))) for (const method of m.methods) allowed.add(method);
    }
    return allowed.size ? [...allowed].sort() : undefined;
  };
}
