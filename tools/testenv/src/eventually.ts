// The one way tests wait for a condition: poll with a deadline, never a bare sleep.

export interface EventuallyOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Wait this long between attempts (default 200 ms). */
  intervalMs?: number;
}

/**
 * Calls `check` until it passes, and returns what it returned.
 *
 * `check` passes when it returns (or resolves to) anything but `undefined` or `false`. It says "not yet"
 * by throwing (the error explains what it saw), returning `undefined` (nothing there yet) or returning
 * `false` (a predicate that does not hold yet). Every other value passes, falsy ones included: `0`,
 * `""` and `null` are answers, not "not yet".
 *
 * At the deadline it throws, naming `what` and the last "not yet" (the last error's message, or what
 * the check returned), after at least one attempt that started before the deadline.
 */
export async function eventually<T>(what: string, check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, undefined | false>> {
  const { timeoutMs = 30_000, intervalMs = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  let last = "no attempt finished";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
      last = `returned ${String(value)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
