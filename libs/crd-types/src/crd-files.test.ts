import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderCrd } from "./crd.ts";
import { renderCrdFiles } from "./crd-files.ts";
import { KINDS } from "./kinds.ts";

const crdDir = join(import.meta.dirname, "../../../deploy/crds");

describe("deploy/crds", () => {
  it("is exactly what libs/crd-types generates (run `npm run crds` after changing a kind)", () => {
    const generated = renderCrdFiles();
    expect(readdirSync(crdDir).sort()).toEqual([...generated.keys()].sort());
    for (const [name, content] of generated) {
      expect(readFileSync(join(crdDir, name), "utf8"), name).toBe(content);
    }
  });
});

/** Walks a schema the way the apiserver's structural-schema check does, collecting violations. */
function structuralViolations(schema: Record<string, unknown>, path = ""): string[] {
  const out: string[] = [];
  const preserves = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (!schema.type && !preserves && !schema["x-kubernetes-int-or-string"]) out.push(`${path}: no type`);
  for (const banned of ["patternProperties", "const", "$id", "$schema", "anyOf", "oneOf", "allOf"]) {
    if (banned in schema) out.push(`${path}: uses ${banned}`);
  }
  if (schema.properties && schema.additionalProperties !== undefined) out.push(`${path}: properties and additionalProperties`);
  for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    out.push(...structuralViolations(sub, `${path}.${key}`));
  }
  if (schema.items) out.push(...structuralViolations(schema.items as Record<string, unknown>, `${path}[]`));
  if (typeof schema.additionalProperties === "object") {
    out.push(...structuralViolations(schema.additionalProperties as Record<string, unknown>, `${path}{}`));
  }
  return out;
}

describe.each(KINDS.map((k) => [k.kind, k] as const))("%s", (_, def) => {
  const crd = renderCrd(def);
  const version = crd.spec.versions[0]!;

  it("is namespaced in group api.cf-worker/v1 with a status subresource and short names", () => {
    expect(crd.metadata.name).toBe(`${def.plural}.api.cf-worker`);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(version.name).toBe("v1");
    expect(version.subresources).toEqual({ status: {} });
    expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
  });

  it("has a structural schema with status.conditions as a map list keyed by type", () => {
    const schema = version.schema.openAPIV3Schema as Record<string, any>;
    expect(structuralViolations(schema)).toEqual([]);
    const conditions = schema.properties.status.properties.conditions;
    expect(conditions["x-kubernetes-list-type"]).toBe("map");
    expect(conditions["x-kubernetes-list-map-keys"]).toEqual(["type"]);
    expect(conditions.items.required).toEqual(expect.arrayContaining(["type", "status", "lastTransitionTime", "reason", "message"]));
    expect(schema.properties.status.properties.observedGeneration.type).toBe("integer");
  });

  it("prints Ready and Age columns", () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual(expect.arrayContaining(["Ready", "Age"]));
  });
});

describe("the seed's WorkerAccount fields", () => {
  it("are kept in the WorkerAccount spec", () => {
    const crd = parse(readFileSync(join(crdDir, "workeraccounts.yaml"), "utf8"));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(Object.keys(spec.properties)).toEqual(expect.arrayContaining(["workerBundleName", "workerReleaseSelector", "podTemplate"]));
    expect(spec.properties.podTemplate.properties.imagePullSecret.type).toBe("string");
    expect(spec.properties.workerReleaseSelector.properties.matchLabels.additionalProperties).toEqual({ type: "string" });
  });
});
