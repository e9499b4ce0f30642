// The supervisor's log lines: seconds since this process started, so a slow step stands out.
const t0 = Date.now();

export const startedAtMs = t0;
export const log = (msg: string) => console.log(`[cluster +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
