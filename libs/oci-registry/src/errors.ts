/** A registry answered with an error: the status, the registry's own error codes, and what we were doing. */
export class RegistryError extends Error {
  readonly status: number;
  readonly codes: string[];

  constructor(operation: string, status: number, body: string, hint = "") {
    const codes: string[] = [];
    let detail = body.trim().slice(0, 500);
    try {
      const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
      if (parsed.errors?.length) {
        for (const e of parsed.errors) if (e.code) codes.push(e.code);
        detail = parsed.errors.map((e) => `${e.code ?? "?"}: ${e.message ?? ""}`).join("; ");
      }
    } catch {
      // not JSON: keep the text
    }
    super(`${operation}: HTTP ${status}${explain(status)}${detail ? ` (${detail})` : ""}${hint ? `. ${hint}` : ""}`);
    this.name = "RegistryError";
    this.status = status;
    this.codes = codes;
  }
}

function explain(status: number): string {
  switch (status) {
    case 401:
      return " unauthorized";
    case 403:
      return " forbidden";
    case 404:
      return " not found";
    default:
      return "";
  }
}
