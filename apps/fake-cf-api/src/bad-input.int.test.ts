// Bad input gets Cloudflare's envelope with the right code and a message naming the field, and leaves
// nothing behind: no WorkerScript, WorkerVersion or deployment, and no S3 object.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LABELS, workerScriptName } from "@fireworkers/crd-types";
import { KINDS, type Kind } from "@fireworkers/kube";
import { s3Keys, setupAccounts, startApiInProcess } from "./test/harness.ts";
import { call, helloModule, uploadForm, type Answer } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-bad-input";
const acc = "dddddddddddddddddddddddddddddddd";
const meta = { main_module: "index.js", bindings: [], compatibility_date: "2025-01-01" };

describe("bad input", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let small: Awaited<ReturnType<typeof startApiInProcess>>;

  /** Everything the API wrote for the account, in Kubernetes and S3. */
  const state = async () => {
    const out: string[] = [];
    const kinds: Kind[] = [KINDS.WorkerScript, KINDS.WorkerVersion, KINDS.WorkerDeployment];
    for (const kind of kinds) {
      for (const o of (await ctx.kube.list(kind, { labelSelector: { [LABELS.account]: acc } })).items) out.push(`${kind.kind}/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    }
    // Other test files share the bucket: this account's prefix, plus anything a traversal could have reached.
    const strays = (await s3Keys(ctx.s3, env.s3.bucket, "")).filter((k) => k.includes("evil"));
    return [...out.sort(), ...(await s3Keys(ctx.s3, env.s3.bucket, `accounts/${acc}/`)), ...strays];
  };

  const put = (script: string, body: RequestInit["body"], headers: Record<string, string> = {}, base = api.url) =>
    call(base, "PUT", `/accounts/${acc}/workers/scripts/${script}?bindings_inherit=strict`, { token: ctx.tokens[acc], body, headers });
  const postVersion = (script: string, body: RequestInit["body"]) =>
    call(api.url, "POST", `/accounts/${acc}/workers/scripts/${script}/versions?bindings_inherit=strict`, { token: ctx.tokens[acc], body });

  const refused = (res: Answer, status: number, code: number, message: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body).toMatchObject({ success: false, result: null, messages: [] });
    expect(res.body.errors[0]!.code).toBe(code);
    expect(res.body.errors[0]!.message).toMatch(message);
  };

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [acc]);
    api = await startApiInProcess(env, namespace);
    small = await startApiInProcess(env, namespace, { MAX_SCRIPT_MIB: "1" });
    const ok = await put("existing", uploadForm({ ...meta, bindings: [{ name: "GREETING", type: "plain_text", text: "hi" }] }, [helloModule]));
    expect(ok.body.success, JSON.stringify(ok.body)).toBe(true);
  });
  afterAll(async () => {
    await api?.close();
    await small?.close();
  });

  const cases: [string, () => Promise<Answer>, number, number, RegExp][] = [
    ["a body that is not multipart", () => put("fresh", JSON.stringify(meta), { "content-type": "application/json" }), 400, 10021, /multipart\/form-data/],
    [
      "a malformed multipart body",
      () => put("fresh", "--xyz\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"main_module\":", { "content-type": "multipart/form-data; boundary=xyz" }),
      400,
      10021,
      /malformed multipart|aborted|metadata/,
    ],
    ["no metadata part", () => put("fresh", uploadForm(undefined, [helloModule])), 400, 10021, /no 'metadata' part/],
    ["metadata that is not JSON", () => put("fresh", uploadForm("{main_module:", [helloModule])), 400, 10021, /metadata is not valid JSON/],
    ["an invalid metadata field", () => put("fresh", uploadForm({ ...meta, compatibility_date: "someday" }, [helloModule])), 400, 10021, /metadata\.compatibility_date/],
    ["main_module absent from the parts", () => put("fresh", uploadForm({ ...meta, main_module: "worker.js" }, [helloModule])), 400, 10021, /metadata\.main_module: 'worker\.js' is not among/],
    [
      "a main module that is not an ES module",
      () => put("fresh", uploadForm(meta, [{ ...helloModule, type: "application/wasm" }])),
      400,
      10021,
      /must be an ES module/,
    ],
    ["path traversal in a module name", () => put("fresh", uploadForm(meta, [helloModule, { name: "../../../evil.js", type: "application/javascript+module", content: "x" }])), 400, 10021, /'\.\.'/],
    ["an absolute module name", () => put("fresh", uploadForm(meta, [helloModule, { name: "/etc/evil.js", type: "application/javascript+module", content: "x" }])), 400, 10021, /absolute/],
    ["a duplicate module", () => put("fresh", uploadForm(meta, [helloModule, helloModule])), 400, 10021, /duplicate module name/],
    ["an unsupported module type", () => put("fresh", uploadForm(meta, [helloModule, { name: "x.py", type: "text/x-python", content: "x" }])), 400, 10021, /unsupported content type 'text\/x-python'/],
    ["an unsupported binding type", () => put("fresh", uploadForm({ ...meta, bindings: [{ name: "DB", type: "d1", id: "x" }] }, [helloModule])), 400, 10021, /binding 'DB' of type 'd1' is not supported/],
    // What the job-builder could not render is refused at upload, not at build time.
    ["a binding name that is not an identifier", () => put("fresh", uploadForm({ ...meta, bindings: [{ name: "my-var", type: "plain_text", text: "x" }] }, [helloModule])), 400, 10021, /invalid binding name/],
    ["a plain_text binding without text", () => put("fresh", uploadForm({ ...meta, bindings: [{ name: "A", type: "plain_text" }] }, [helloModule])), 400, 10021, /text/],
    ["a wasm binding to a part not uploaded", () => put("fresh", uploadForm({ ...meta, bindings: [{ name: "W", type: "wasm_module", part: "add.wasm" }] }, [helloModule])), 400, 10021, /not among the version's modules/],
    ["a compatibility flag of another shape", () => put("fresh", uploadForm({ ...meta, compatibility_flags: ["Not A Flag"] }, [helloModule])), 400, 10021, /invalid compatibility flag/],
    ["an impossible compatibility date", () => put("fresh", uploadForm({ ...meta, compatibility_date: "2024-13-45" }, [helloModule])), 400, 10021, /compatibility date/],
    [
      "a module that is also another's directory",
      () => put("fresh", uploadForm(meta, [helloModule, { name: "lib", type: "text/plain", content: "x" }, { name: "lib/x.js", type: "application/javascript+module", content: "x" }])),
      400,
      10021,
      /also the directory/,
    ],
    ["a service-worker upload", () => put("fresh", uploadForm({ body_part: "index.js", bindings: [] }, [helloModule])), 400, 10021, /service-worker format is not supported/],
    [
      "an unresolvable inherit under bindings_inherit=strict (one error per name)",
      () => postVersion("existing", uploadForm({ ...meta, bindings: [{ name: "API_KEY", type: "inherit" }, { name: "DB", type: "inherit" }] }, [helloModule])),
      400,
      10057,
      /^inherit binding 'API_KEY' is invalid$/,
    ],
    ["an upload over the size limit (early, by Content-Length)", () => put("fresh", uploadForm(meta, [helloModule, { name: "big.bin", type: "application/octet-stream", content: new Uint8Array(4 << 20) }]), {}, small.url), 413, 10027, /size limit of 1 MiB/],
    ["an upload over the size limit (while streaming)", () => put("fresh", uploadForm(meta, [helloModule, { name: "big.bin", type: "application/octet-stream", content: new Uint8Array(1536 << 10) }]), {}, small.url), 413, 10027, /size limit of 1 MiB/],
    [
      "secret values with a version upload (they would change what serves now)",
      () => postVersion("existing", uploadForm({ ...meta, bindings: [{ name: "NEW_SECRET", type: "secret_text", text: "v" }] }, [helloModule])),
      400,
      10021,
      /cannot come with a version upload/,
    ],
    ["an upload to a Worker that does not exist (versions)", () => postVersion("fresh", uploadForm(meta, [helloModule])), 404, 10007, /does not exist/],
  ];

  it.each(cases)("refuses %s and leaves nothing behind", async (_what, send, status, code, message) => {
    const before = await state();
    refused(await send(), status, code, message);
    expect(await state()).toEqual(before);
    expect(await ctx.kube.get(KINDS.WorkerScript, workerScriptName(acc, "fresh"))).toBeUndefined();
  });

  it("10057 names every unresolved inherit", async () => {
    const res = await postVersion("existing", uploadForm({ ...meta, bindings: [{ name: "API_KEY", type: "inherit" }, { name: "DB", type: "inherit" }] }, [helloModule]));
    expect(res.body.errors).toEqual([
      { code: 10057, message: "inherit binding 'API_KEY' is invalid" },
      { code: 10057, message: "inherit binding 'DB' is invalid" },
    ]);
  });

  it.each(["Bad_Name", "-leading", "a".repeat(64), "dots.not.allowed"])("refuses the script name %j with 10021 naming the field", async (name) => {
    const before = await state();
    const res = await put(encodeURIComponent(name), uploadForm(meta, [helloModule]));
    refused(res, 400, 10021, /params\/scriptName/);
    expect(await state()).toEqual(before);
  });

  it("never echoes a malformed JSON body (it may hold a secret value) in the answer", async () => {
    const res = await call(api.url, "PUT", `/accounts/${acc}/workers/scripts/existing/secrets`, {
      token: ctx.tokens[acc],
      // V8 quotes the text around an unexpected token in its message.
      body: '{"name":"API_KEY","text":hunter2-very-secret}',
      headers: { "content-type": "application/json" },
    });
    refused(res, 400, 10021, /not valid JSON/);
    expect(JSON.stringify(res.body)).not.toContain("hunter2");
  });

  it("refuses bad JSON bodies naming the field", async () => {
    const t = ctx.tokens[acc];
    refused(await call(api.url, "PUT", `/accounts/${acc}/workers/scripts/existing/secrets`, { token: t, json: { name: "bad-name", text: "x" } }), 400, 10021, /body\/name/);
    refused(
      await call(api.url, "POST", `/accounts/${acc}/workers/scripts/existing/deployments`, {
        token: t,
        json: { strategy: "percentage", versions: [{ version_id: "00000000-0000-4000-8000-000000000000", percentage: 60 }, { version_id: "00000000-0000-4000-8000-000000000001", percentage: 30 }] },
      }),
      400,
      10021,
      /percentages must sum to 100/,
    );
    refused(
      await call(api.url, "POST", `/accounts/${acc}/workers/scripts/existing/deployments`, {
        token: t,
        json: { strategy: "percentage", versions: [{ version_id: "00000000-0000-4000-8000-000000000000", percentage: 100 }] },
      }),
      404,
      10222,
      /version_not_found/,
    );
    refused(await call(api.url, "POST", `/accounts/${acc}/workers/scripts/existing/deployments`, { token: t, body: "{not json", headers: { "content-type": "application/json" } }), 400, 10021, /JSON/);
    refused(await call(api.url, "DELETE", `/accounts/${acc}/workers/scripts/existing/secrets/NOPE`, { token: t }), 404, 10056, /secret_not_found/);
  });

  it("answers 5xx and leaves nothing behind when S3 refuses the writes", async () => {
    const broken = await startApiInProcess(env, namespace, { S3_SECRET_ACCESS_KEY: "wrong-secret" });
    try {
      const before = await state();
      refused(await put("fresh", uploadForm(meta, [helloModule]), {}, broken.url), 503, 10013, /S3 is unavailable/);
      expect(await state()).toEqual(before);
    } finally {
      await broken.close();
    }
  });
});
