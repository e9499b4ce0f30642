// `WWW-Authenticate` challenges (RFC 7235), as registries send them:
//   Basic realm="Registry Realm"
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x/y:pull"

export interface Challenge {
  scheme: "basic" | "bearer" | string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(match[2]!))) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  return { scheme: match[1]!.toLowerCase(), params };
}
