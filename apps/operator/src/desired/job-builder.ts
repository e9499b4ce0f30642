import { API_VERSION, type JobBuilder, type WorkerRelease, type WorkerVersion } from "@fireworkers/crd-types";
import type { OperatorConfig } from "../config.ts";
import { canonicalJson, controllerRef, managedLabels, sha256 } from "./common.ts";
import { isServable } from "./release.ts";

/** What a version's part of the image depends on: its code, bindings and compatibility; not its id or S3 prefix. */
const contentKey = (v: WorkerVersion) =>
  canonicalJson({
    accountId: v.spec.accountId,
    scriptName: v.spec.scriptName,
    mainModule: v.spec.mainModule,
    modules: v.spec.modules,
    bindings: v.spec.bindings ?? [],
    compatibilityDate: v.spec.compatibilityDate ?? "",
    compatibilityFlags: v.spec.compatibilityFlags ?? [],
  });

/**
 * The version a build uses in place of `v`: the oldest servable version of the same script with the same
 * content. `wrangler secret put` makes a new version with unchanged code and bindings (Cloudflare's model);
 * building it as its identical predecessor keeps the JobBuilder, hence the image: no Job runs, and only the
 * pods roll, because the hash of the script's secrets in their template changed.
 */
export function buildVersion(v: WorkerVersion, versions: ReadonlyMap<string, WorkerVersion>): WorkerVersion {
  const key = contentKey(v);
  let oldest = v;
  for (const other of versions.values()) {
    if (other.spec.scriptName !== v.spec.scriptName || other.spec.accountId !== v.spec.accountId || other.spec.number >= oldest.spec.number) continue;
    if (isServable(other) && contentKey(other) === key) oldest = other;
  }
  return oldest;
}

/** Bumped when the build output for the same inputs changes (config rendering, base image layout). */
export const BUILD_FORMAT = 1;

/**
 * The exact bundle a release needs: every script's versions with their module digests, bindings and
 * compatibility settings. Its name is derived from the hash of all of that, so an unchanged set maps
 * to the same JobBuilder and is never built twice. Undefined when there is nothing to build.
 */
export function desiredJobBuilder(
  release: WorkerRelease,
  versions: ReadonlyMap<string, WorkerVersion>,
  config: Pick<OperatorConfig, "imageRepositoryPrefix" | "baseImage" | "bindingsGateway">,
): JobBuilder | undefined {
  const deployed = release.spec.scripts ?? [];
  if (deployed.length === 0) return undefined;
  const accountId = release.spec.accountId;
  const scripts = deployed.map((script, workerNumber) => ({
    name: script.name,
    workerNumber,
    versions: mergeSame(script.versions).map(({ v, percentage }) => {
      return {
        versionId: v.spec.versionId,
        percentage,
        storage: v.spec.storage,
        mainModule: v.spec.mainModule,
        modules: v.spec.modules,
        ...(v.spec.bindings?.length ? { bindings: v.spec.bindings } : {}),
        ...(v.spec.compatibilityDate ? { compatibilityDate: v.spec.compatibilityDate } : {}),
        ...(v.spec.compatibilityFlags?.length ? { compatibilityFlags: v.spec.compatibilityFlags } : {}),
      };
    }),
  }));
  /** Each deployed version as the version it is built from; two that build the same add their percentages. */
  function mergeSame(deployed: { versionId: string; percentage: number }[]): { v: WorkerVersion; percentage: number }[] {
    const merged = new Map<string, { v: WorkerVersion; percentage: number }>();
    for (const { versionId, percentage } of deployed) {
      const found = versions.get(versionId);
      if (!found) throw new Error(`release ${release.metadata.name} names version ${versionId}, which is not in the cache`);
      const v = buildVersion(found, versions);
      const entry = merged.get(v.spec.versionId);
      if (entry) entry.percentage += percentage;
      else merged.set(v.spec.versionId, { v, percentage });
    }
    return [...merged.values()];
  }
  const repository = `${config.imageRepositoryPrefix}/${accountId}`;
  // Only bundles with a KV binding carry the gateway's address (it is in their config): others keep their hash.
  const usesKv = scripts.some((s) => s.versions.some((v) => v.bindings?.some((b) => b.type === "kv_namespace")));
  const bindingsGateway = usesKv ? config.bindingsGateway : undefined;
  const inputHash = sha256(canonicalJson({ format: BUILD_FORMAT, accountId, repository, baseImage: config.baseImage, scripts, ...(bindingsGateway ? { bindingsGateway } : {}) }));
  return {
    apiVersion: API_VERSION,
    kind: "JobBuilder",
    metadata: {
      name: jobBuilderName(inputHash),
      labels: managedLabels(accountId),
      ownerReferences: [controllerRef(release)],
    },
    spec: {
      accountId,
      releaseName: release.metadata.name,
      inputHash,
      image: { repository, tag: inputHash.slice(0, 32) },
      scripts,
      ...(bindingsGateway ? { bindingsGateway } : {}),
    },
  };
}

/** Short enough for a Job name and its pods' job-name label (63 characters). */
export const jobBuilderName = (inputHash: string) => `build-${inputHash.slice(0, 32)}`;
