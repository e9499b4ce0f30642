// KV key <-> S3 object name, so that any key (1..512 UTF-8 bytes, any characters) becomes a safe S3 key,
// two keys never share an object, and S3's listing order (UTF-8 bytes of the object name) is the
// keys' own UTF-8 byte order, which is the order Cloudflare lists in.
//
//   name = base32hex(utf8(key)), unpadded       RFC 4648's "extended hex" alphabet 0-9A-V sorts like the bytes
//          cut into segments of 200 characters   POSIX-backed S3 servers (versitygw, MinIO) store each '/'-part
//          joined by '/', then '-'               as a file name (<= 255 bytes); '-' (0x2D) ends the last part
//
// The terminator sorts below '/' and every alphabet character, so a key that is a prefix of another
// sorts first, and no object name is ever the "directory" of another (directories are exactly 200 chars).
import { base32hex } from "rfc4648";

const SEGMENT = 200;
const TERMINATOR = "-";
const NAME = /^(?:[0-9A-V]{200}\/)*[0-9A-V]{1,200}-$/;

const segments = (encoded: string): string => {
  const parts: string[] = [];
  for (let i = 0; i < encoded.length; i += SEGMENT) parts.push(encoded.slice(i, i + SEGMENT));
  return parts.join("/");
};

const encode = (bytes: Uint8Array): string => base32hex.stringify(bytes, { pad: false });

/** The object name (relative to the namespace's value prefix) of a key. */
export function objectName(key: string): string {
  return `${segments(encode(Buffer.from(key, "utf8")))}${TERMINATOR}`;
}

/** The key an object name stands for, or undefined for a name this layout never writes. */
export function keyOfObjectName(name: string): string | undefined {
  if (!NAME.test(name)) return undefined;
  try {
    const key = Buffer.from(base32hex.parse(name.slice(0, -1).replaceAll("/", ""), { loose: true })).toString("utf8");
    // Only the canonical name of a key counts (no stray trailing bits, no invalid UTF-8).
    return objectName(key) === name ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a prefix listing starts and which object names can hold a match. Every key starting with
 * `prefix` has an object name starting with `s3Prefix` (the complete base32 characters of the prefix),
 * and sorts after `startAfter` (the prefix's own encoding, last character zero-padded). Keys are
 * contiguous in that order, so a listing stops at the first name that does not match.
 */
export function prefixRange(prefix: string): { s3Prefix: string; startAfter: string } {
  if (prefix === "") return { s3Prefix: "", startAfter: "" };
  const bytes = Buffer.from(prefix, "utf8");
  const encoded = encode(bytes);
  const complete = Math.floor((bytes.length * 8) / 5);
  return { s3Prefix: segments(encoded.slice(0, complete)), startAfter: segments(encoded) };
}

/** A list cursor: the object name of the last key a page returned, opaque to clients. */
export const cursorOf = (name: string): string => Buffer.from(name, "utf8").toString("base64url");

export function nameOfCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) return undefined;
  const name = Buffer.from(cursor, "base64url").toString("utf8");
  return NAME.test(name) ? name : undefined;
}
