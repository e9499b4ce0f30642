// Zones do not exist here: routing belongs to the operator. wrangler still looks zones up before it binds
// routes, so every zone name "exists" with an id derived from the account and the name, and a route's zone
// is the one wrangler would find for it (zone_id, else zone_name, else the route's full host, which is the
// first name wrangler tries). Pure.
import { createHash } from "node:crypto";
import type { Route } from "@fireworkers/crd-types";

export const zoneId = (accountId: string, zoneName: string) =>
  createHash("sha256").update(`zone\0${accountId}\0${zoneName.toLowerCase()}`).digest("hex").slice(0, 32);

export function routeHost(pattern: string): string {
  const withoutScheme = pattern.replace(/^[a-z]+:\/\//i, "");
  return withoutScheme.split("/")[0]!.replace(/^\*\.?/, "").replace(/:\d+$/, "").toLowerCase();
}

export function routeZoneId(accountId: string, route: Route): string {
  return route.zoneId ?? zoneId(accountId, route.zoneName ?? routeHost(route.pattern));
}
