// /openapi.json, built by @fastify/swagger from the route schemas, and `app.apiRoutes`: every Cloudflare
// route with its auth mode (the auth tests walk it).
import fastifySwagger from "@fastify/swagger";
import fp from "fastify-plugin";
import type { AuthMode } from "./auth.ts";

export const API_PREFIX = "/client/v4";

export interface ApiRoute {
  method: string;
  url: string;
  auth: AuthMode;
}

declare module "fastify" {
  interface FastifyInstance {
    apiRoutes: ApiRoute[];
  }
  interface FastifyContextConfig {
    /** The route reads a multipart body itself (documented in /openapi.json by this schema). */
    multipartBody?: object;
  }
}

export const openapi = fp(
  async (app) => {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "fireworkers fake-cf-api",
          description: "The subset of Cloudflare's API v4 that wrangler uses, backed by Kubernetes and S3. Every answer is Cloudflare's envelope.",
          version: "1",
        },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        security: [{ bearer: [] }],
      },
      // Multipart routes read their body themselves; the schema of that body is documented here only.
      transform: ({ schema, url, route }) => {
        const multipart = route.config?.multipartBody;
        if (!multipart || !schema) return { schema, url };
        return { schema: { ...schema, consumes: ["multipart/form-data"], body: multipart }, url };
      },
    });

    const apiRoutes: ApiRoute[] = [];
    app.decorate("apiRoutes", apiRoutes);
    app.addHook("onRoute", (route) => {
      if (!route.url.startsWith(API_PREFIX)) return;
      for (const method of [route.method].flat()) if (method !== "HEAD") apiRoutes.push({ method, url: route.url, auth: route.config?.auth ?? "none" });
    });
    app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  },
  { name: "openapi" },
);
