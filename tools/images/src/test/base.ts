// Pushes the runtime base image (built once per test file) to a test registry; returns it by digest.
import { pushImage, RegistryClient, type Credentials } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { buildBaseImage, type BaseImage } from "../base-image/build-base-image.ts";

let built: BaseImage | undefined;
export const baseImage = () => (built ??= buildBaseImage());

export async function pushBase(registry: string, credentials?: Credentials, repository = "fireworkers/workerd-runtime"): Promise<string> {
  const image = baseImage();
  const client = new RegistryClient({ registry, credentials });
  const pushed = await pushImage(client, { registry, repository, tag: "test" }, image, [image.layer], undefined, createLogger("test", { level: "warn" }));
  return `${registry}/${repository}@${pushed.digest}`;
}
