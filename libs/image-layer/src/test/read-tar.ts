// Reads a tar back (ustar + pax path/linkpath), for tests that inspect layers: what the files are, and
// that no secret is anywhere in them.
import { gunzipSync } from "node:zlib";

export interface ReadEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkTarget: string;
  content: Buffer;
}

const str = (b: Buffer, start: number, len: number) => {
  const s = b.subarray(start, start + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString("utf8");
};
const num = (b: Buffer, start: number, len: number) => parseInt(str(b, start, len).trim() || "0", 8);

export function readTar(bytes: Buffer): ReadEntry[] {
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const entries: ReadEntry[] = [];
  let pax: Record<string, string> = {};
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = num(h, 124, 12);
    const content = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    const type = str(h, 156, 1);
    if (type === "x") {
      pax = {};
      for (const line of content.toString("utf8").split("\n").filter(Boolean)) {
        const kv = line.slice(line.indexOf(" ") + 1);
        pax[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
      }
      continue;
    }
    const prefix = str(h, 345, 155);
    const name = pax.path ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    entries.push({
      path: name.replace(/\/$/, ""),
      type,
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      mtime: num(h, 136, 12),
      linkTarget: pax.linkpath ?? str(h, 157, 100),
      content: Buffer.from(content),
    });
    pax = {};
  }
  return entries;
}
