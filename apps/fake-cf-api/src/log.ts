// The logger actions and stores write to (pino's call shape, so Fastify's request logger fits), and an
// error as a log field.

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An error as a log field: name, message and status, without the SDKs' request dumps. */
export function brief(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const status = (err as { $metadata?: { httpStatusCode?: number }; code?: number }).$metadata?.httpStatusCode ?? (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
  return { name: err.name, message: err.message, ...(status !== undefined ? { status } : {}), ...(cause ? { cause } : {}) };
}
