import { API_VERSION, type JobBuilder, type WorkerRelease, type WorkerVersion } from "@fireworkers/crd-types";
import type { OperatorConfig } from "../config.ts";
import { canonicalJson, controllerRef, managedLabels, sha256 } from "./common.ts";

/** Bumped when the build output for the same inputs changes (config rendering, base image layout). */
export const BUILD_FORMAT = 1;

/**
 * The exact bundle a release needs: every script's versions with their module digests, bindings and
 * compatibility settings. Its name is derived from the hash of all of that, so an unchanged set maps
 * to the same JobBuilder and is never built twice. Undefined when there is nothing to build.
 */
export function desiredJobBuilder(
  release: WorkerRelease,
  versions: Pick<ReadonlyMap<string, WorkerVersion>, "get">,
  config: Pick<OperatorConfig, "imageRepositoryPrefix" | "baseImage">,
): JobBuilder | undefined {
  if (release.spec.scripts.length === 0) return undefined;
  const accountId = release.spec.accountId;
  const scripts = release.spec.scripts.map((script, workerNumber) => ({
    name: script.name,
    workerNumber,
    versions: script.versions.map(({ versionId, percentage }) => {
      const v = versions.get(versionId);
      if (!v) throw new Error(`release ${release.metadata.name} names version ${versionId}, which is not in the cache`);
      return {
        versionId,
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
  const repository = `${config.imageRepositoryPrefix}/${accountId}`;
  const inputHash = sha256(canonicalJson({ format: BUILD_FORMAT, accountId, repository, baseImage: config.baseImage, scripts }));
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
    },
  };
}

/** Short enough for a Job name and its pods' job-name label (63 characters). */
export const jobBuilderName = (inputHash: string) => `build-${inputHash.slice(0, 32)}`;
