import { MapList, StringEnum, StringMap, Type, type Static, type TSchema } from "./schema.ts";

export const GROUP = "api.cf-worker";
export const VERSION = "v1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Labels every object of an account/script carries, so lists and watches can select them. */
export const LABELS = {
  account: `${GROUP}/account`,
  script: `${GROUP}/script`,
  version: `${GROUP}/version`,
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** metav1.Condition, as Kubernetes API conventions define it. */
export const Condition = Type.Object({
  type: Type.String({ maxLength: 316, pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$" }),
  status: StringEnum(["True", "False", "Unknown"] as const),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  lastTransitionTime: Type.String({ format: "date-time" }),
  reason: Type.String({ minLength: 1, maxLength: 1024, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

export const Conditions = MapList(Condition, ["type"], { description: "Latest observations of the object's state." });

/** metav1.LabelSelector. */
export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap()),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: Type.String(),
          operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"] as const),
          values: Type.Optional(Type.Array(Type.String())),
        }),
      ),
    ),
  },
  { "x-kubernetes-map-type": "atomic" },
);
export type LabelSelector = Static<typeof LabelSelector>;

/** The status fields every kind shares. */
export const baseStatus = {
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64", description: "The .metadata.generation this status was computed from." })),
  conditions: Type.Optional(Conditions),
};

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A custom object of this group: the Kubernetes envelope around a spec and a status. */
export interface CustomObject<Kind extends string, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** Everything needed to render one CustomResourceDefinition. */
export interface KindDefinition<Spec extends TSchema = TSchema, Status extends TSchema = TSchema> {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: Spec;
  status: Status;
  /** Extra printer columns; Ready and Age are added to every kind. */
  columns: PrinterColumn[];
  /** Validation rules on the whole object (CEL), e.g. cross-field checks. */
  rules?: { rule: string; message: string }[];
}
