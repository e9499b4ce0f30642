import type { CfError } from "./errors.ts";

/** Cloudflare's envelope. wrangler reads `success` (never the HTTP status) to decide. */
export interface Envelope<T> {
  success: boolean;
  errors: CfError[];
  messages: unknown[];
  result: T | null;
  result_info?: ResultInfo;
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export const ok = <T>(result: T, resultInfo?: ResultInfo): Envelope<T> => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
});

export const failed = (errors: CfError[]): Envelope<null> => ({ success: false, errors, messages: [], result: null });

/** Page-number pagination as wrangler reads it: it stops once page * per_page >= total_count. */
export function paginate<T>(items: T[], page = 1, perPage = 20): { items: T[]; info: ResultInfo } {
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  return {
    items: slice,
    info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) },
  };
}
