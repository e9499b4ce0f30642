// Bundles the golden tests (and the integration tests) render: the cases the issue lists.
import type { BundleScript } from "../bundle.ts";

export const V1 = "11111111-1111-4111-8111-111111111111";
export const V2 = "22222222-2222-4222-8222-222222222222";
export const V3 = "33333333-3333-4333-8333-333333333333";

export const BUNDLES: Record<string, BundleScript[]> = {
  "single-esm": [
    { name: "hello", workerNumber: 0, versions: [{ versionId: V1, percentage: 100, mainModule: "index.js", modules: [{ name: "index.js", type: "esm" }], compatibilityDate: "2025-01-01" }] },
  ],
  "multi-module-wasm": [
    {
      name: "calc",
      workerNumber: 0,
      versions: [
        {
          versionId: V1,
          percentage: 100,
          mainModule: "index.js",
          modules: [
            { name: "lib/math.js", type: "esm" },
            { name: "index.js", type: "esm" },
            { name: "add.wasm", type: "wasm" },
            { name: "legacy.cjs", type: "commonjs" },
            { name: "banner.txt", type: "text" },
            { name: "blob.bin", type: "data" },
            { name: "index.js.map", type: "sourcemap" },
          ],
          compatibilityDate: "2025-01-01",
          compatibilityFlags: ["nodejs_compat", "nodejs_compat"],
        },
      ],
    },
  ],
  "vars-text-json": [
    {
      name: "vars",
      workerNumber: 3,
      versions: [
        {
          versionId: V1,
          percentage: 100,
          mainModule: "index.js",
          modules: [{ name: "index.js", type: "esm" }],
          compatibilityDate: "2025-06-01",
          bindings: [
            { name: "GREETING", type: "plain_text", text: 'say "hi"\\\nnew line é' },
            { name: "CONFIG", type: "json", json: { a: 1, b: [true, null], s: 'q"uote' } },
          ],
        },
      ],
    },
  ],
  "service-binding": [
    { name: "backend", workerNumber: 0, versions: [{ versionId: V1, percentage: 100, mainModule: "index.js", modules: [{ name: "index.js", type: "esm" }], compatibilityDate: "2025-01-01" }] },
    {
      name: "frontend",
      workerNumber: 1,
      versions: [
        {
          versionId: V2,
          percentage: 100,
          mainModule: "index.js",
          modules: [{ name: "index.js", type: "esm" }],
          compatibilityDate: "2025-01-01",
          bindings: [
            { name: "BACKEND", type: "service", service: "backend" },
            { name: "ADMIN", type: "service", service: "backend", entrypoint: "Admin" },
            { name: "GONE", type: "service", service: "deleted-worker" },
            { name: "CACHE", type: "kv_namespace", namespace_id: "5d1a0c7b1a2b4c3d8e9f00112233aabb" },
          ],
        },
      ],
    },
  ],
  "secrets-env": [
    {
      name: "my-api",
      workerNumber: 0,
      versions: [
        {
          versionId: V1,
          percentage: 100,
          mainModule: "index.js",
          modules: [{ name: "index.js", type: "esm" }],
          compatibilityDate: "2099-01-01",
          bindings: [
            { name: "DB_PASSWORD", type: "secret_text" },
            { name: "API_KEY", type: "secret_text" },
          ],
        },
      ],
    },
  ],
  "split-70-30": [
    {
      name: "canary",
      workerNumber: 0,
      versions: [
        { versionId: V3, percentage: 30, mainModule: "index.js", modules: [{ name: "index.js", type: "esm" }], compatibilityDate: "2025-02-01" },
        { versionId: V2, percentage: 70, mainModule: "index.js", modules: [{ name: "index.js", type: "esm" }] },
      ],
    },
  ],
};
