import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { Invalid } from "../domain/errors.ts";

/** Reads the text fields of a small multipart body (e.g. PATCH .../settings); file parts are refused. */
export function readFields(req: IncomingMessage, maxBytes: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: "utf8", limits: { fieldSize: maxBytes, fields: 8, files: 0 } });
    } catch (err) {
      reject(new Invalid(`request body: ${(err as Error).message} (expected multipart/form-data)`));
      return;
    }
    const fields: Record<string, string> = {};
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(new Invalid(message));
    };
    bb.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(`field '${name}' is larger than ${maxBytes} bytes`);
      fields[name] = value;
    });
    bb.on("file", (name, stream) => {
      stream.resume();
      fail(`part '${name}': files are not accepted here`);
    });
    bb.on("filesLimit", () => fail("files are not accepted here"));
    bb.on("fieldsLimit", () => fail("too many fields"));
    bb.on("error", (err) => fail(`malformed multipart body: ${(err as Error).message}`));
    bb.on("close", () => {
      if (!failed) resolve(fields);
    });
    req.pipe(bb);
  });
}
