// Deletes expired KV keys, namespace by namespace, every interval. Reads already hide them the moment
// they expire; the sweep gives the space back. Every replica sweeps (deletes are conditional on the
// ETag seen, so two sweeps or a sweep and a new write never lose a value); the cost is one listing and
// one HEAD per key per replica per interval.
import type { KvStore } from "@fireworkers/kv-store";
import type { Logger } from "@fireworkers/observability";
import type { GatewayMetrics } from "./metrics.ts";
import type { NamespaceDirectory } from "./namespaces.ts";

export function startSweeper(store: KvStore, directory: NamespaceDirectory, metrics: GatewayMetrics, log: Logger, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      for (const ns of directory.all()) {
        try {
          const n = await store.sweep(ns);
          if (n > 0) {
            metrics.swept.inc(n);
            log.info({ namespaceId: ns.namespaceId, deleted: n }, "swept expired KV keys");
          }
        } catch (err) {
          log.warn({ namespaceId: ns.namespaceId, err: String(err) }, "KV sweep failed; next interval retries");
        }
      }
    } finally {
      running = false;
    }
  };
  // A random first delay spreads the replicas' sweeps over the interval.
  const first = setTimeout(() => void sweep(), Math.floor(Math.random() * intervalMs)).unref();
  const timer = setInterval(() => void sweep(), intervalMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
