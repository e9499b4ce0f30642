// The test bundle of the issue: "calc" (multi-module ES + wasm), "greeter" (vars, a secret, a service
// binding to calc) and "canary" (two versions at 50/50). Modules are uploaded to the real S3 under the
// platform's layout; the spec is what the operator would put in a JobBuilder.
import { createHash, randomUUID } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Binding, BuildVersion, JobBuilderSpec, ModuleType } from "@fireworkers/crd-types";
import { moduleKey, versionPrefix } from "@fireworkers/storage";
import { ADD_WASM } from "@fireworkers/testenv";


const CALC_INDEX = `import { double } from "./lib/math.js";
import addModule from "./add.wasm";
const { exports } = new WebAssembly.Instance(addModule);
export default {
  fetch(req) {
    const u = new URL(req.url);
    const a = Number(u.searchParams.get("a")), b = Number(u.searchParams.get("b"));
    return Response.json({ worker: "calc", sum: exports.add(a, b), double: double(a), path: u.pathname, host: req.headers.get("host") });
  },
};`;

const GREETER_INDEX = `export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    const calc = await (await env.CALC.fetch("http://calc/?a=40&b=2")).json();
    return Response.json({ worker: "greeter", greeting: env.GREETING, config: env.CONFIG, token: env.API_TOKEN ?? null, calc, path: u.pathname, prefix: req.headers.get("x-forwarded-prefix") });
  },
};`;

const canary = (label: string) => `export default { fetch() { return Response.json({ worker: "canary", version: ${JSON.stringify(label)} }); } };`;

export const SECRET_VALUE = `s3cr3t-${randomUUID()}`;
export const SECRET_ENV = "S7_GREETER_API_TOKEN";

export interface ModuleSource {
  name: string;
  type: ModuleType;
  content: Buffer | string;
}

async function uploadVersion(s3: S3Client, bucket: string, account: string, script: string, modules: ModuleSource[], extra: Partial<BuildVersion> = {}): Promise<BuildVersion> {
  const versionId = randomUUID();
  const prefix = versionPrefix(account, script, versionId);
  const recorded = [];
  for (const m of modules) {
    const body = Buffer.from(m.content);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: moduleKey(prefix, m.name), Body: body }));
    recorded.push({ name: m.name, type: m.type, sha256: createHash("sha256").update(body).digest("hex"), size: body.length });
  }
  return { versionId, percentage: 100, storage: { bucket, prefix }, mainModule: modules[0]!.name, modules: recorded, compatibilityDate: "2025-01-01", ...extra };
}

/** The bundle's scripts: per script, its versions as module sources plus version settings. */
export function testBundleSources(): { name: string; versions: { modules: ModuleSource[]; extra: Partial<BuildVersion> }[] }[] {
  const bindings: Binding[] = [
    { name: "GREETING", type: "plain_text", text: 'hello "world"' },
    { name: "CONFIG", type: "json", json: { retries: 3, regions: ["eu", "us"] } },
    { name: "API_TOKEN", type: "secret_text" },
    { name: "CALC", type: "service", service: "calc" },
  ];
  return [
    {
      name: "calc",
      versions: [
        {
          modules: [
            { name: "index.js", type: "esm", content: CALC_INDEX },
            { name: "lib/math.js", type: "esm", content: "export const double = (x) => 2 * x;" },
            { name: "add.wasm", type: "wasm", content: ADD_WASM },
            { name: "index.js.map", type: "sourcemap", content: "{}" },
          ],
          extra: {},
        },
      ],
    },
    { name: "greeter", versions: [{ modules: [{ name: "index.js", type: "esm", content: GREETER_INDEX }], extra: { bindings } }] },
    {
      name: "canary",
      versions: [
        { modules: [{ name: "index.js", type: "esm", content: canary("a") }], extra: { percentage: 50 } },
        { modules: [{ name: "index.js", type: "esm", content: canary("b") }], extra: { percentage: 50 } },
      ],
    },
  ];
}

export async function uploadTestBundle(s3: S3Client, bucket: string, account: string, repository: string): Promise<JobBuilderSpec> {
  const scripts = [];
  for (const [workerNumber, script] of testBundleSources().entries()) {
    const versions = [];
    for (const v of script.versions) versions.push(await uploadVersion(s3, bucket, account, script.name, v.modules, v.extra));
    scripts.push({ name: script.name, workerNumber, versions });
  }
  const inputHash = createHash("sha256").update(JSON.stringify(scripts)).digest("hex");
  return { accountId: account, releaseName: account, inputHash, image: { repository, tag: inputHash.slice(0, 32) }, scripts };
}
