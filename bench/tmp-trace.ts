import { randomBytes } from "node:crypto";
import { createS3Client } from "@fireworkers/storage";
import { startEnvironment } from "@fireworkers/testenv";
import { setupAccounts, startApiInProcess, kubeFor } from "../apps/fake-cf-api/src/test/harness.ts";
import { uploadForm, type Part } from "../apps/fake-cf-api/src/test/requests.ts";
import { loadConfig } from "../apps/fake-cf-api/src/config.ts";
import { buildApp } from "../apps/fake-cf-api/src/app.ts";
import { apiEnv } from "../apps/fake-cf-api/src/test/harness.ts";
const MiB = 1 << 20;
const account = "0123456789abcdef0123456789abcdef";
const entry = "import a from './a.bin'; export default { fetch() { return new Response(String(a.byteLength)) } }\n";
const modules: Part[] = [
  { name: "index.js", type: "application/javascript+module", content: entry },
  ...["a", "b", "c", "d"].map((n) => ({ name: `${n}.bin`, type: "application/octet-stream", content: randomBytes(6 * MiB) })),
  { name: "text.txt", type: "text/plain", content: randomBytes(MiB / 2).toString("hex") },
];
const env = await startEnvironment();
let t0 = 0;
const log: string[] = [];
const mark = (s: string) => log.push(`${(performance.now() - t0).toFixed(1).padStart(7)} ${s}`);
try {
  const ns = "trace";
  const ctx = await setupAccounts(env.info, ns, [account]);
  const kube = kubeFor(env.info, ns);
  for (const m of ["get", "list", "create", "replace", "patch", "delete"] as const) {
    const orig = (kube as any)[m]?.bind(kube);
    if (!orig) continue;
    (kube as any)[m] = async (...a: any[]) => { const s = performance.now(); const r = await orig(...a); mark(`kube ${m} ${a[1] ?? a[0]?.kind ?? ""} ${(performance.now() - s).toFixed(1)}ms`); return r; };
  }
  const config = loadConfig({ ...apiEnv(env.info, ns, { LOG_LEVEL: "silent", ...JSON.parse(process.env.API_EXTRA ?? "{}") }), HOST: "127.0.0.1", PORT: "0" });
  const s3Client = createS3Client(config.s3);
  s3Client.middlewareStack.add((next, c) => async (args: any) => { const s = performance.now(); const r = await next(args); mark(`s3 ${c.commandName} ${args.input?.Key?.split("/").pop() ?? ""} ${args.input?.PartNumber ?? ""} ${(performance.now() - s).toFixed(1)}ms`); return r; }, { step: "initialize" });
  const app = buildApp({ config, kube, s3Client });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as any).port}`;
  for (let i = 0; i < 4; i++) {
    log.length = 0;
    t0 = performance.now();
    const res = await fetch(`${url}/client/v4/accounts/${account}/workers/scripts/s${i}`, { method: "PUT", headers: { authorization: `Bearer ${ctx.tokens[account]}` }, body: uploadForm({ main_module: "index.js", bindings: [], compatibility_date: "2025-01-01" }, modules) });
    await res.json();
    mark("response");
    if (i >= 2) console.log(log.join("\n") + "\n");
  }
  await app.close();
} finally {
  await env.stop();
}
