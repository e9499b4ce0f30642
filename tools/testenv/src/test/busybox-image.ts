// A tiny runnable image (Debian's busybox-static), used to prove the registry and containerd are real.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageFromDir, type Image } from "../oci-image.ts";

export { pushImageRaw as pushImage } from "../oci-image.ts";

/** One layer (/bin/busybox, /bin/sh) + config whose Cmd echoes `message`. */
export function busyboxImage(message: string): Image {
  const root = mkdtempSync(join(tmpdir(), "busybox-rootfs-"));
  try {
    mkdirSync(join(root, "bin"));
    copyFileSync("/bin/busybox", join(root, "bin/busybox"));
    symlinkSync("busybox", join(root, "bin/sh"));
    return imageFromDir(root, { Cmd: ["/bin/sh", "-c", `echo ${message}`] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
