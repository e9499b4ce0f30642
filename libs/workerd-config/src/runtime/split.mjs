// A script deployed as two versions: sends each request to one of them by the deployment's percentages.
// Sticky when the request carries a split key (header x-fireworkers-split-key or cookie fireworkers-split),
// random otherwise. VERSIONS = [{"id": "<version id>", "percentage": n}], services bound as V0, V1.
import { pickVersion, pointForKey, splitKey } from "./routing.mjs";

export default {
  async fetch(request, env) {
    const key = splitKey(request.headers);
    const point = key === null ? Math.random() * 100 : pointForKey(key);
    const index = pickVersion(env.VERSIONS.map((v) => v.percentage), point);
    return env[`V${index}`].fetch(request);
  },
};
