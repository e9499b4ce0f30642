// Kubernetes objects -> the Cloudflare objects wrangler reads (wrangler-api.md §5). Pure.
import { createHash } from "node:crypto";
import { createdMs, type Route, type WorkerDeployment, type WorkerScript, type WorkerVersion } from "@fireworkers/crd-types";

const iso = (ms: number) => new Date(ms).toISOString();

/** The script's stable "tag": its WorkerScript uid without dashes (32 hex, like Cloudflare's). */
export const scriptTag = (script: WorkerScript) => (script.metadata.uid ?? "").replaceAll("-", "");

/** A version's etag: the digest of its module digests, so identical code gives the same etag. */
export function versionEtag(version: WorkerVersion): string {
  const h = createHash("sha256");
  for (const m of version.spec.modules) h.update(`${m.name}\0${m.type}\0${m.sha256}\n`);
  return h.digest("hex");
}

export function versionToWire(v: WorkerVersion) {
  const created = iso(createdMs(v));
  return {
    id: v.spec.versionId,
    number: v.spec.number,
    metadata: {
      author_id: "",
      author_email: v.spec.authorEmail ?? "",
      source: v.spec.source ?? "wrangler",
      created_on: created,
      modified_on: created,
      // No per-version preview URLs here: wrangler then skips its preview-URL lookups.
      has_preview: false,
    },
    annotations: v.spec.annotations ?? {},
    resources: {
      script: { etag: versionEtag(v), handlers: ["fetch"], last_deployed_from: "wrangler" },
      script_runtime: {
        compatibility_date: v.spec.compatibilityDate ?? "",
        compatibility_flags: v.spec.compatibilityFlags ?? [],
        usage_model: "standard",
      },
      bindings: v.spec.bindings ?? [],
    },
  };
}

export function deploymentToWire(d: WorkerDeployment) {
  return {
    id: d.spec.deploymentId,
    source: d.spec.source ?? "wrangler",
    strategy: d.spec.strategy,
    author_email: d.spec.authorEmail ?? "",
    created_on: iso(createdMs(d)),
    annotations: d.spec.annotations ?? {},
    versions: d.spec.versions.map((v) => ({ version_id: v.versionId, percentage: v.percentage })),
  };
}

/** `last_deployed_from` is always "wrangler": "dash" would make wrangler fetch dashboard-only endpoints. */
export function serviceToWire(script: WorkerScript, latest: WorkerVersion | undefined) {
  const created = iso(createdMs(script));
  const modified = latest ? iso(createdMs(latest)) : created;
  return {
    id: script.spec.scriptName,
    default_environment: {
      environment: "production",
      created_on: created,
      modified_on: modified,
      script: {
        id: script.spec.scriptName,
        tag: scriptTag(script),
        tags: script.spec.tags ?? null,
        etag: latest ? versionEtag(latest) : "",
        handlers: ["fetch"],
        last_deployed_from: "wrangler",
        migration_tag: null,
        compatibility_date: latest?.spec.compatibilityDate ?? "",
        usage_model: "standard",
      },
    },
    created_on: created,
    modified_on: modified,
  };
}

export interface SubdomainView {
  enabled: boolean;
  previews_enabled: boolean;
}

export const subdomainOf = (script: WorkerScript | undefined): SubdomainView => ({
  enabled: script?.spec.workersDev?.enabled ?? false,
  previews_enabled: script?.spec.workersDev?.previewsEnabled ?? false,
});

/** GET .../workers/workers/{name}: wrangler reads `subdomain` (url, preview_url_suffix). */
export function workerToWire(script: WorkerScript, latest: WorkerVersion | undefined, accountSubdomain: string, workersDomain: string) {
  const name = script.spec.scriptName;
  const created = iso(createdMs(script));
  return {
    id: scriptTag(script),
    name,
    created_on: created,
    updated_on: latest ? iso(createdMs(latest)) : created,
    logpush: script.spec.logpush ?? false,
    observability: script.spec.observability ?? { enabled: false },
    subdomain: {
      ...subdomainOf(script),
      url: `https://${name}.${accountSubdomain}.${workersDomain}`,
      preview_url_suffix: `-${name}.${accountSubdomain}.${workersDomain}`,
    },
    tags: script.spec.tags ?? [],
    tail_consumers: script.spec.tailConsumers ?? [],
  };
}

export function scriptSettingsToWire(script: WorkerScript) {
  return {
    logpush: script.spec.logpush ?? false,
    observability: script.spec.observability ?? { enabled: false },
    tags: script.spec.tags ?? [],
    tail_consumers: script.spec.tailConsumers ?? [],
  };
}

/** GET .../settings: the latest version's bindings (secrets by name only) plus the script settings. */
export function settingsToWire(script: WorkerScript, latest: WorkerVersion | undefined) {
  return {
    ...scriptSettingsToWire(script),
    bindings: latest?.spec.bindings ?? [],
    compatibility_date: latest?.spec.compatibilityDate ?? "",
    compatibility_flags: latest?.spec.compatibilityFlags ?? [],
    usage_model: "standard",
    placement: {},
  };
}

export const routesToWire = (script: WorkerScript) =>
  (script.spec.routes ?? []).map((r) => ({
    id: createHash("sha256").update(`${script.metadata.name}\0${r.pattern}`).digest("hex").slice(0, 32),
    pattern: r.pattern,
    script: script.spec.scriptName,
    ...(r.zoneId ? { zone_id: r.zoneId } : {}),
    ...(r.zoneName ? { zone_name: r.zoneName } : {}),
  }));

/** A route as wrangler sends it (PUT .../routes), as a WorkerScript route. */
export const routeFromWire = (r: { pattern: string; zone_id?: string; zone_name?: string }): Route => ({
  pattern: r.pattern,
  ...(r.zone_id ? { zoneId: r.zone_id } : {}),
  ...(r.zone_name ? { zoneName: r.zone_name } : {}),
});
