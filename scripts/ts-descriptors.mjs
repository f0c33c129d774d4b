// Writes two tables of the TypeScript client from a buf image of proto/ (JSON,
// `buf build -o image.json`), run by scripts/protocgen.sh after ts-proto:
//
//   ts/src/amino-schema.ts  every agentchain Msg's amino name and, for it and
//                           every message it nests, the fields as the chain's
//                           amino JSON encoder (cosmossdk.io/x/tx,
//                           signing/aminojson) sees them: amino key, ts-proto
//                           property, kind and the amino/cosmos_proto options
//                           that change the encoding;
//   ts/src/event-types.ts   every agentchain typed event (Event* of
//                           events.proto) with its ts-proto decoder.
//
// Anything the encoder would treat specially that these messages do not use
// (oneofs, maps, Any, well-known types, other amino encodings, floats) fails
// the generation instead of producing a converter that signs the wrong bytes.
import fs from "node:fs";
import path from "node:path";

const [imageFile, outDir] = process.argv.slice(2);
if (!imageFile || !outDir) {
  console.error("usage: ts-descriptors.mjs <buf image .json> <ts/src dir>");
  process.exit(2);
}
const image = JSON.parse(fs.readFileSync(imageFile, "utf8"));

// Amino names longer than this are refused by Ledger's amino JSON app.
const MAX_AMINO_NAME = 39;
const LONG = new Set(["TYPE_INT64", "TYPE_UINT64", "TYPE_SINT64", "TYPE_FIXED64", "TYPE_SFIXED64"]);
const INT32 = new Set(["TYPE_INT32", "TYPE_UINT32", "TYPE_SINT32", "TYPE_FIXED32", "TYPE_SFIXED32"]);

const messages = new Map(); // ".pkg.Name" -> { desc, file }
function collect(prefix, file, descs) {
  for (const desc of descs ?? []) {
    const full = `${prefix}.${desc.name}`;
    messages.set(full, { desc, file });
    collect(full, file, desc.nestedType);
  }
}
for (const file of image.file) collect(file.package ? `.${file.package}` : "", file, file.messageType);

const fail = (where, what) => {
  throw new Error(`ts-descriptors: ${where}: ${what} is not supported by the amino converters`);
};

// fieldEntry describes one field for the runtime converter (ts/src/amino.ts).
function fieldEntry(owner, f, nested) {
  const where = `${owner}.${f.name}`;
  const o = f.options ?? {};
  if (f.oneofIndex !== undefined) fail(where, "a oneof field");
  const e = { key: o["[amino.field_name]"] ?? f.name, prop: f.jsonName };
  if (f.label === "LABEL_REPEATED") e.repeated = true;
  if (o["[amino.dont_omitempty]"] === true) e.dontOmitEmpty = true;
  const encoding = o["[amino.encoding]"];
  if (encoding !== undefined) {
    if (encoding !== "legacy_coins" || !e.repeated) fail(where, `amino.encoding "${encoding}"`);
    e.legacyCoins = true;
  }
  const scalar = o["[cosmos_proto.scalar]"];
  if (f.type === "TYPE_MESSAGE") {
    if (f.typeName.startsWith(".google.")) fail(where, f.typeName);
    const target = messages.get(f.typeName);
    if (!target) fail(where, `unknown type ${f.typeName}`);
    if (target.desc.options?.["[amino.message_encoding]"]) fail(where, "amino.message_encoding");
    e.kind = "message";
    e.type = f.typeName.slice(1);
    nested.push(f.typeName);
  } else if (f.type === "TYPE_ENUM") {
    e.kind = "enum";
  } else if (LONG.has(f.type)) {
    e.kind = "int64";
  } else if (INT32.has(f.type)) {
    e.kind = "int32";
  } else if (f.type === "TYPE_STRING") {
    e.kind = "string";
    if (scalar === "cosmos.Int") e.kind = "int";
    else if (scalar === "cosmos.Dec") e.kind = "dec";
  } else if (f.type === "TYPE_BOOL") {
    e.kind = "bool";
  } else if (f.type === "TYPE_BYTES") {
    e.kind = "bytes";
    if (scalar === "cosmos.Int" || scalar === "cosmos.Dec") fail(where, `a bytes ${scalar}`);
  } else {
    fail(where, `type ${f.type}`);
  }
  if (e.repeated && e.kind !== "message" && e.kind !== "string") fail(where, `a repeated ${e.kind}`);
  return e;
}

const aminoNames = [];
const schemas = new Map();
function schema(full) {
  if (schemas.has(full)) return;
  const { desc } = messages.get(full);
  if (desc.options?.mapEntry) fail(full, "a map");
  schemas.set(full, null); // cycles
  const nested = [];
  schemas.set(full, (desc.field ?? []).map((f) => fieldEntry(full.slice(1), f, nested)));
  for (const n of nested) schema(n);
}

const events = [];
for (const file of image.file) {
  const m = /^agentchain\/(\w+)\/v1\/(tx|events)\.proto$/.exec(file.name);
  if (!m) continue;
  for (const desc of file.messageType ?? []) {
    const full = `.${file.package}.${desc.name}`;
    if (m[2] === "events") {
      if (desc.name.startsWith("Event")) events.push({ mod: m[1], name: desc.name, type: full.slice(1) });
      continue;
    }
    if (desc.options?.["[cosmos.msg.v1.signer]"] === undefined) continue;
    const aminoName = desc.options?.["[amino.name]"];
    if (!aminoName) throw new Error(`ts-descriptors: ${full.slice(1)} has no (amino.name) option`);
    if (aminoName.length > MAX_AMINO_NAME) {
      throw new Error(`ts-descriptors: ${full.slice(1)}: amino name ${aminoName} is longer than ${MAX_AMINO_NAME} characters`);
    }
    aminoNames.push([`/${full.slice(1)}`, aminoName]);
    schema(full);
  }
}
aminoNames.sort((a, b) => (a[0] < b[0] ? -1 : 1));
events.sort((a, b) => (a.type < b.type ? -1 : 1));

const header = "// Code generated by scripts/ts-descriptors.mjs from proto/. DO NOT EDIT.\n";
const fieldText = (e) =>
  "{ " +
  Object.entries(e)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ") +
  " }";

let amino = `${header}
import type { AminoField } from "./amino-types.js";

/** The amino name of every agentchain message, by type URL. */
export const aminoNames: Readonly<Record<string, string>> = {
${aminoNames.map(([url, name]) => `  ${JSON.stringify(url)}: ${JSON.stringify(name)},`).join("\n")}
};

/** The fields of every message a Msg holds, by full proto name, in field order. */
export const aminoSchemas: Readonly<Record<string, readonly AminoField[]>> = {
`;
for (const full of [...schemas.keys()].sort()) {
  amino += `  ${JSON.stringify(full.slice(1))}: [\n`;
  for (const e of schemas.get(full)) amino += `    ${fieldText(e)},\n`;
  amino += "  ],\n";
}
amino += "};\n";
fs.writeFileSync(path.join(outDir, "amino-schema.ts"), amino);

const mods = [...new Set(events.map((e) => e.mod))].sort();
const ev = `${header}
${mods.map((mod) => `import * as ${mod} from "./gen/agentchain/${mod}/v1/events.js";`).join("\n")}

/** Every agentchain typed event: its CometBFT event type and its value's type. */
export interface AgentchainEventMap {
${events.map((e) => `  ${JSON.stringify(e.type)}: ${e.mod}.${e.name};`).join("\n")}
}

/** The decoder of every agentchain typed event, by CometBFT event type. */
export const eventTypes: { readonly [K in keyof AgentchainEventMap]: { fromJSON(object: unknown): AgentchainEventMap[K] } } = {
${events.map((e) => `  ${JSON.stringify(e.type)}: ${e.mod}.${e.name},`).join("\n")}
};
`;
fs.writeFileSync(path.join(outDir, "event-types.ts"), ev);
