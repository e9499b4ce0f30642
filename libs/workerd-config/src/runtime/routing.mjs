// Pure routing decisions shared by the router and split workers. Plain JavaScript: workerd runs this file
// as is (it is copied into every bundle image), and the unit tests import the same file.

/**
 * Which script a request goes to, or null.
 * - Host `<script>.<suffix>`: when `hostSuffix` is set (the operator's FIREWORKERS_HOST_SUFFIX, e.g.
 *   `acme.workers.example.com`) the host must be exactly one label in front of it; unset, any host of at
 *   least three labels whose first label is a script (not an IPv4 literal) matches.
 * - else path prefix `/<script>` (exactly, or followed by `/`): the prefix is stripped, so the worker sees
 *   the path it would see on its own host; the stripped prefix is reported for `x-forwarded-prefix`.
 * @param {string} host the Host header (may carry a port)
 * @param {string} pathname
 * @param {string[]} scripts
 * @param {string | null | undefined} hostSuffix
 * @returns {{ script: string, pathname: string, prefix: string | null } | null}
 */
export function pickRoute(host, pathname, scripts, hostSuffix) {
  const hostname = host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
  const suffix = (hostSuffix ?? "").trim().replace(/^\.+|\.+$/g, "").toLowerCase();
  const labels = hostname.split(".");
  const first = labels[0] ?? "";
  const hostMatches = suffix
    ? hostname === `${first}.${suffix}`
    : labels.length >= 3 && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname);
  if (hostMatches && scripts.includes(first)) return { script: first, pathname, prefix: null };

  const segment = pathname.split("/")[1] ?? "";
  if (segment && scripts.includes(segment)) {
    const rest = pathname.slice(segment.length + 1);
    return { script: segment, pathname: rest.startsWith("/") ? rest : `/${rest}`, prefix: `/${segment}` };
  }
  return null;
}

/** FNV-1a, 32 bits: a stable, cheap hash of the split key (not a security boundary). */
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Index of the version serving a request, given a point in [0, 100): version 0 takes [0, p0), version 1 the
 * rest. The point is derived from the split key when the request has one (same key, same version),
 * else drawn at random.
 * @param {number[]} percentages
 * @param {number} point in [0, 100)
 */
export function pickVersion(percentages, point) {
  let acc = 0;
  for (let i = 0; i < percentages.length; i++) {
    acc += percentages[i];
    if (point < acc) return i;
  }
  return percentages.length - 1;
}

/** A point in [0, 100) for a split key, with a resolution of 0.01 %. */
export const pointForKey = (key) => (fnv1a(key) % 10000) / 100;

/** The sticky key of a request: header `x-fireworkers-split-key`, else cookie `fireworkers-split`. */
export function splitKey(headers) {
  const header = headers.get("x-fireworkers-split-key");
  if (header) return header;
  const cookie = headers.get("cookie") ?? "";
  const match = /(?:^|;\s*)fireworkers-split=([^;]+)/.exec(cookie);
  return match ? match[1] : null;
}
