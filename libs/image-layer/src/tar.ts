// A deterministic tar writer (POSIX ustar, with pax headers for long names): entries sorted by path,
// parent directories added, and fixed owner, group, mtime and modes, so identical inputs give identical
// bytes whatever the machine, the file system or the clock.

export interface TarEntry {
  /** Relative path without a leading slash, e.g. `worker/config.capnp`. */
  path: string;
  type: "file" | "dir" | "symlink";
  content?: Buffer;
  linkTarget?: string;
  /** Defaults: 0644 files, 0755 directories, 0777 symlinks. */
  mode?: number;
}

/** Every entry's mtime: the epoch, as reproducible-builds' SOURCE_DATE_EPOCH=0 would have it. */
export const TAR_MTIME = 0;
const BLOCK = 512;

export function createTar(entries: TarEntry[]): Buffer {
  const all = withParents(entries);
  const blocks: Buffer[] = [];
  for (const entry of all) {
    const content = entry.type === "file" ? (entry.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
    const split = splitUstarName(name);
    const link = entry.linkTarget ?? "";
    const pax: Record<string, string> = {};
    if (!split) pax.path = name;
    if (Buffer.byteLength(link) > 100) pax.linkpath = link;
    if (Object.keys(pax).length) {
      const body = paxRecords(pax);
      blocks.push(header({ name: "PaxHeaders/entry", prefix: "", size: body.length, mode: 0o644, typeflag: "x", link: "" }), pad(body));
    }
    blocks.push(
      header({
        name: split ? split.name : name.slice(-99),
        prefix: split ? split.prefix : "",
        size: content.length,
        mode: entry.mode ?? (entry.type === "dir" ? 0o755 : entry.type === "symlink" ? 0o777 : 0o644),
        typeflag: entry.type === "file" ? "0" : entry.type === "dir" ? "5" : "2",
        link: Buffer.byteLength(link) > 100 ? "" : link,
      }),
    );
    if (content.length) blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

/** Sorted, deduplicated, with every parent directory as an entry of its own. */
function withParents(entries: TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const path = e.path.replace(/^\/+|\/+$/g, "");
    if (!path || path.split("/").some((s) => s === "" || s === "." || s === "..")) throw new Error(`invalid tar path ${JSON.stringify(e.path)}`);
    if (byPath.has(path)) throw new Error(`tar path ${path} appears twice`);
    byPath.set(path, { ...e, path });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const existing = byPath.get(dir);
      if (existing && existing.type !== "dir") throw new Error(`${dir} is both a directory and a ${existing.type}`);
      if (!existing) byPath.set(dir, { path: dir, type: "dir" });
    }
  }
  // Byte order of the UTF-8 path, not locale order: the same everywhere.
  return [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { name, prefix: "" };
  // The prefix must end at a slash; name ≤ 100, prefix ≤ 155.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (rest.length > 100) return undefined;
    if (prefix.length <= 155 && rest.length > 0) return { name: rest, prefix };
  }
  return undefined;
}

function header(h: { name: string; prefix: string; size: number; mode: number; typeflag: string; link: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, "utf8");
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid
  octal(b, 116, 8, 0); // gid
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, TAR_MTIME);
  b.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  b.write(h.typeflag, 156, 1, "ascii");
  b.write(h.link, 157, 100, "utf8");
  b.write("ustar\u0000", 257, 6, "ascii");
  b.write("00", 263, 2, "ascii");
  b.write("root", 265, 32, "ascii");
  b.write("root", 297, 32, "ascii");
  b.write(h.prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number) {
  const text = value.toString(8).padStart(length - 1, "0");
  if (text.length > length - 1) throw new Error(`tar field too small for ${value}`);
  b.write(`${text}\u0000`, offset, length, "ascii");
}

function pad(content: Buffer): Buffer {
  const rest = content.length % BLOCK;
  return rest === 0 ? content : Buffer.concat([content, Buffer.alloc(BLOCK - rest)]);
}

/** pax records: "<length> <key>=<value>\n", where the length counts itself. */
function paxRecords(records: Record<string, string>): Buffer {
  let out = "";
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    out += `${len}${body}`;
  }
  return Buffer.from(out, "utf8");
}
