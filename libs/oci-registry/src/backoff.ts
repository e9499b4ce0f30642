/** Delay before retry `attempt` (1-based): exponential from `baseMs`, capped, with full jitter so that
 * many builders retrying against one registry do not do it in step. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Worth another try: the registry or something in front of it failed, not our request. */
export const isRetryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;
