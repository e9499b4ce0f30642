// Every string that reaches config.capnp goes through `capnpString`, after the name checks in
// validate.ts: the checks say what is allowed, the escaping makes sure nothing can end the literal.

/** A Cap'n Proto text literal: quotes, backslashes and control characters escaped; UTF-8 kept. */
export function capnpString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
