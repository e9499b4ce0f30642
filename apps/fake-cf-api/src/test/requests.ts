// Raw API requests for tests that go below wrangler: multipart uploads built like wrangler builds them
// (undici FormData), and the envelope of the answer.
export interface Part {
  name: string;
  type: string;
  content: string | Uint8Array;
}

export function uploadForm(metadata: object | string | undefined, parts: Part[]): FormData {
  const form = new FormData();
  if (metadata !== undefined) form.set("metadata", typeof metadata === "string" ? metadata : JSON.stringify(metadata));
  for (const p of parts) form.append(p.name, new Blob([p.content], { type: p.type }), p.name);
  return form;
}

export const helloModule: Part = { name: "index.js", type: "application/javascript+module", content: "export default { fetch() { return new Response('hi') } }" };

export interface Answer {
  status: number;
  body: { success: boolean; errors: { code: number; message: string }[]; messages: unknown[]; result: unknown };
}

export async function call(baseUrl: string, method: string, path: string, opts: { token?: string; body?: RequestInit["body"]; json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = method === "GET" ? undefined : opts.body;
  if (opts.json !== undefined && method !== "GET") {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${baseUrl}/client/v4${path}`, { method, headers, body });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}
