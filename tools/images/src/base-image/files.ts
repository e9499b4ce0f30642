// What the runtime base images hold, and where each file comes from. Nothing else goes in: no shell, no
// package manager. workerd (a glibc PIE, libc++ linked statically) needs only glibc, and CA certificates
// at start-up (it refuses to start without them, even for loopback only). Node also needs libstdc++ and
// libgcc_s.
import { RUNTIME_UID, type TarEntry } from "@fireworkers/image-layer";

export interface HostFile {
  imagePath: string;
  hostPath: string;
  debianPackage: string;
  mode: number;
}

const lib = (name: string, debianPackage: string): HostFile => ({
  imagePath: `lib/x86_64-linux-gnu/${name}`,
  hostPath: `/lib/x86_64-linux-gnu/${name}`,
  debianPackage,
  mode: 0o755,
});

const GLIBC = ["libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "ld-linux-x86-64.so.2"].map((n) => lib(n, "libc6"));
const CA_CERTIFICATES: HostFile = {
  imagePath: "etc/ssl/certs/ca-certificates.crt",
  hostPath: "/etc/ssl/certs/ca-certificates.crt",
  // Generated at install time by update-ca-certificates from the certificates the package ships.
  debianPackage: "ca-certificates",
  mode: 0o644,
};

/** Host files copied into the workerd base: image path ← host path, with the Debian package that ships it. */
export const HOST_FILES: HostFile[] = [...GLIBC, CA_CERTIFICATES];
/** …and into the Node base. */
export const NODE_HOST_FILES: HostFile[] = [...GLIBC, lib("libstdc++.so.6", "libstdc++6"), lib("libgcc_s.so.1", "libgcc-s1"), CA_CERTIFICATES];

/** The files the project writes itself. */
export function generatedEntries(): TarEntry[] {
  const file = (path: string, text: string): TarEntry => ({ path, type: "file", content: Buffer.from(text) });
  return [
    // The ELF interpreter path of workerd and node.
    { path: "lib64/ld-linux-x86-64.so.2", type: "symlink", linkTarget: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" },
    file("etc/passwd", `root:x:0:0:root:/root:/sbin/nologin\nworkerd:x:${RUNTIME_UID}:${RUNTIME_UID}:workerd:/nonexistent:/sbin/nologin\n`),
    file("etc/group", `root:x:0:\nworkerd:x:${RUNTIME_UID}:\n`),
    // glibc >= 2.34 has the files and dns NSS modules built in; this says to use them for host names.
    file("etc/nsswitch.conf", "hosts: files dns\n"),
    { path: "tmp", type: "dir", mode: 0o1777 },
  ];
}
