/**
 * `work`, rejected with the signal's reason the moment `signal` aborts, even when the call behind it
 * ignores the signal (a hung connection): the caller moves on; the abandoned call settles into nothing.
 */
export function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
