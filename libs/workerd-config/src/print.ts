// The one printer: model.ts → config.capnp text. All escaping lives in the lexical helpers at the top;
// everything below them builds a small tree of capnp values and never writes a literal by hand.
// Output is deterministic: fields come out in schema order whatever the key order of the model objects.
import type {
  Binding,
  BindingKind,
  BindingOf,
  BindingValues,
  Config,
  DataSource,
  Header,
  HttpOptions,
  Module,
  ModuleKind,
  ModuleValues,
  Service,
  ServiceDesignator,
  Socket,
  TextSource,
  Worker,
  WrappedBinding,
} from "./model.ts";

// ---- lexical layer: the only place that turns data into capnp tokens ----

function escapeBody(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    // A lone surrogate has no UTF-8 encoding: written to a file it would silently become U+FFFD.
    if (code >= 0xd800 && code <= 0xdfff) throw new Error(`text ${JSON.stringify(value)} is not well-formed Unicode`);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

/** A Cap'n Proto text literal: quotes, backslashes and control characters escaped; other Unicode kept as UTF-8. */
export function capnpString(value: string): string {
  return `"${escapeBody(value)}"`;
}

/** A Cap'n Proto data literal: the bytes in hex, so no byte can end or bend it. */
export function capnpData(bytes: Uint8Array): string {
  return `0x"${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")}"`;
}

/** A `#` comment line: control characters (a newline would end the comment) escaped like in a literal. */
export function capnpComment(text: string): string {
  return `# ${escapeBody(text)}`;
}

const IDENTIFIER = /^[a-z][A-Za-z0-9]*$/;
/** Field names, enumerants and constant names come from this lib's code; a check keeps it that way. */
function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid capnp identifier ${JSON.stringify(name)}`);
  return name;
}

// ---- capnp values ----

type Value =
  | { t: "text"; s: string }
  | { t: "data"; b: Uint8Array }
  | { t: "embed"; path: string }
  | { t: "bool"; v: boolean }
  | { t: "enum"; id: string }
  | { t: "ref"; id: string }
  | { t: "list"; items: Value[] }
  | { t: "struct"; fields: Field[] };
/** An undefined value (or an empty list) leaves the field out: the schema default applies. */
type Field = readonly [name: string, value: Value | undefined];

const text = (s: string): Value => ({ t: "text", s });
const bool = (v: boolean | undefined): Value | undefined => (v === undefined ? undefined : { t: "bool", v });
const struct = (...fields: Field[]): Value => ({ t: "struct", fields });
const list = <T>(items: readonly T[] | undefined, each: (item: T) => Value): Value | undefined =>
  items && items.length > 0 ? { t: "list", items: items.map(each) } : undefined;
const optText = (s: string | undefined): Value | undefined => (s === undefined ? undefined : text(s));
const textSource = (v: TextSource): Value => (typeof v === "string" ? text(v) : { t: "embed", path: v.embed });
const dataSource = (v: DataSource): Value => (v instanceof Uint8Array ? { t: "data", b: v } : { t: "embed", path: v.embed });

function inline(v: Value): string {
  switch (v.t) {
    case "text":
      return capnpString(v.s);
    case "data":
      return capnpData(v.b);
    case "embed":
      return `embed ${capnpString(v.path)}`;
    case "bool":
      return String(v.v);
    case "enum":
      return identifier(v.id);
    case "ref":
      return `.${identifier(v.id)}`;
    case "list":
      return `[${v.items.map(inline).join(", ")}]`;
    case "struct":
      return `(${present(v.fields)
        .map(([k, x]) => `${identifier(k)} = ${inline(x)}`)
        .join(", ")})`;
  }
}

function present(fields: readonly Field[]): [string, Value][] {
  return fields.filter((f): f is [string, Value] => f[1] !== undefined);
}

/** A top-level constant: one field a line, lists of structs one item a line. */
function constant(name: string, type: "Config" | "Worker", fields: readonly Field[]): string[] {
  const lines = [`const ${identifier(name)} :Workerd.${type} = (`];
  for (const [key, value] of present(fields)) {
    if (value.t === "list" && value.items.some((i) => i.t === "struct")) {
      lines.push(`  ${identifier(key)} = [`, ...value.items.map((i) => `    ${inline(i)},`), "  ],");
    } else {
      lines.push(`  ${identifier(key)} = ${inline(value)},`);
    }
  }
  lines.push(");");
  return lines;
}

// ---- model → values, in schema field order ----

function designator(d: ServiceDesignator): Value {
  // The schema lets a bare string stand for (name = "...").
  if (d.entrypoint === undefined && d.props === undefined) return text(d.name);
  return struct(["name", text(d.name)], ["entrypoint", optText(d.entrypoint)], ["props", d.props && struct(["json", text(d.props.json)])]);
}

const header = (h: Header): Value => struct(["name", text(h.name)], ["value", text(h.value)]);

function http(o: HttpOptions): Value {
  return struct(
    ["style", o.style === undefined ? undefined : { t: "enum", id: o.style }],
    ["forwardedProtoHeader", optText(o.forwardedProtoHeader)],
    ["cfBlobHeader", optText(o.cfBlobHeader)],
    ["injectRequestHeaders", list(o.injectRequestHeaders, header)],
    ["injectResponseHeaders", list(o.injectResponseHeaders, header)],
  );
}

const MODULE_VALUE: { [K in ModuleKind]: (v: ModuleValues[K]) => Value } = {
  esModule: textSource,
  commonJsModule: textSource,
  text: textSource,
  data: dataSource,
  wasm: dataSource,
  json: textSource,
};
function module<K extends ModuleKind>(m: { name: string; kind: K; value: ModuleValues[K] }): Value {
  return struct(["name", text(m.name)], [m.kind, MODULE_VALUE[m.kind](m.value)]);
}

/** One entry per binding kind of model.ts: how its value is written. */
const BINDING_VALUE: { [K in BindingKind]: (v: BindingValues[K]) => Value } = {
  text: textSource,
  data: dataSource,
  json: text,
  wasmModule: dataSource,
  service: designator,
  kvNamespace: designator,
  r2Bucket: designator,
  fromEnvironment: text,
  wrapped: (w: WrappedBinding) =>
    struct(["moduleName", text(w.moduleName)], ["entrypoint", optText(w.entrypoint)], ["innerBindings", list(w.innerBindings, binding)]),
};
function binding<K extends BindingKind>(b: BindingOf<K>): Value {
  return struct(["name", text(b.name)], [b.kind, BINDING_VALUE[b.kind](b.value)]);
}

function workerFields(w: Worker): Field[] {
  return [
    ["modules", list(w.modules, (m: Module) => module(m))],
    ["compatibilityDate", text(w.compatibilityDate)],
    ["compatibilityFlags", list(w.compatibilityFlags, text)],
    ["bindings", list(w.bindings, (b: Binding) => binding(b))],
    ["globalOutbound", w.globalOutbound && designator(w.globalOutbound)],
    ["tails", list(w.tails, designator)],
  ];
}

function service(s: Service, workerRef: (w: { worker: Worker; comment?: string }) => string): Value {
  const name: Field = ["name", text(s.name)];
  if ("worker" in s) return struct(name, ["worker", { t: "ref", id: workerRef(s) }]);
  if ("external" in s) return struct(name, ["external", struct(["address", text(s.external.address)], ["http", http(s.external.http)])]);
  if ("network" in s) return struct(name, ["network", struct(["allow", list(s.network.allow, text)], ["deny", list(s.network.deny, text)])]);
  const d = s.disk;
  return struct(name, ["disk", struct(["path", text(d.path)], ["writable", bool(d.writable)], ["allowDotfiles", bool(d.allowDotfiles)])]);
}

function socket(k: Socket): Value {
  return struct(["name", text(k.name)], ["address", optText(k.address)], ["http", http(k.http)], ["service", designator(k.service)]);
}

/** config.capnp for `config`. Workers become constants after the config (`worker = .worker<n>`), in service order. */
export function printConfig(config: Config, title = "Generated by fireworkers (libs/workerd-config). Do not edit."): string {
  const workers: { comment?: string; worker: Worker }[] = [];
  const services = config.services.map((s) => service(s, (w) => `worker${workers.push(w) - 1}`));
  const logging = config.logging;
  const lines = [
    capnpComment(title),
    'using Workerd = import "/workerd/workerd.capnp";',
    "",
    ...constant("config", "Config", [
      ["services", { t: "list", items: services }],
      ["sockets", { t: "list", items: config.sockets.map(socket) }],
      [
        "logging",
        logging &&
          struct(["structuredLogging", bool(logging.structuredLogging)], ["stdoutPrefix", optText(logging.stdoutPrefix)], ["stderrPrefix", optText(logging.stderrPrefix)]),
      ],
    ]),
    ...workers.flatMap((w, i) => ["", ...(w.comment === undefined ? [] : [capnpComment(w.comment)]), ...constant(`worker${i}`, "Worker", workerFields(w.worker))]),
    "",
  ];
  return lines.join("\n");
}
