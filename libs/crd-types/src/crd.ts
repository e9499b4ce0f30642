import { GROUP, VERSION, type KindDefinition } from "./common.ts";

const readyColumn = { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' } as const;
const ageColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" } as const;

/** Renders the CustomResourceDefinition of a kind (pure; the YAML under deploy/crds is its output). */
export function renderCrd(def: KindDefinition) {
  const openApiV3Schema: Record<string, unknown> = {
    type: "object",
    description: def.description,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: def.spec,
      status: def.status,
    },
  };
  if (def.rules?.length) openApiV3Schema["x-kubernetes-validations"] = def.rules;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { "app.kubernetes.io/part-of": "fireworkers" },
    },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ["fireworkers"],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...def.columns, readyColumn, ageColumn],
          schema: { openAPIV3Schema: JSON.parse(JSON.stringify(openApiV3Schema)) },
        },
      ],
    },
  };
}
