// Loads agentchain's Msg types from the .proto files at run time (protobufjs)
// and turns them into what CosmJS needs: Registry entries for SIGN_MODE_DIRECT
// and AminoTypes converters for SIGN_MODE_LEGACY_AMINO_JSON.
//
// The converters are driven by the same proto options the chain reads:
// cosmossdk.io/x/tx's aminojson encoder (signing/aminojson/json_marshal.go)
// builds the bytes a LEGACY_AMINO_JSON signature must cover from the message
// descriptor alone, so mirroring its rules here, rather than hand-writing one
// converter per message, keeps the two sides from drifting apart. The rules:
//   - the message is {"type": <amino.name>, "value": {...}} (CosmJS wraps it);
//   - keys are the proto field names (or amino.field_name), sorted (CosmJS sorts);
//   - a field that is not set (proto3 default, empty list, nil message) is left
//     out unless it carries amino.dont_omitempty; then it is written as its
//     default, and an empty list as null;
//   - 64-bit integers are decimal strings, 32-bit integers and enums numbers,
//     bytes standard base64;
//   - amino.encoding = "legacy_coins" writes an empty coin list as [];
//   - cosmos_proto.scalar = "cosmos.Int" writes an empty string as "0".
// Anything the encoder would treat specially that these messages do not use
// (oneofs, maps, Any, Timestamp, Dec, other amino encodings) is refused loudly
// instead of being guessed.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import protobuf from "protobufjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");

/** The agentchain proto files whose Msg types the flow signs. */
export const PROTO_FILES = ["agentchain/agentid/v1/tx.proto", "agentchain/market/v1/tx.proto"];

/**
 * protoIncludePath returns the directories that resolve agentchain's proto
 * imports: $AGENTCHAIN_PROTO_PATH (path-list) when set, else the repository's
 * proto/ and the Go module cache's copies of the SDK, gogoproto and
 * cosmos-proto protos (the same places scripts/protocgen.sh reads). The
 * protobufjs package's own google/protobuf/descriptor.proto comes last.
 */
export function protoIncludePath() {
  let dirs;
  if (process.env.AGENTCHAIN_PROTO_PATH) {
    dirs = process.env.AGENTCHAIN_PROTO_PATH.split(path.delimiter).filter(Boolean);
  } else {
    const modDir = (mod) =>
      execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", mod], { cwd: repoRoot, encoding: "utf8" }).trim();
    dirs = [
      path.join(repoRoot, "proto"),
      path.join(modDir("github.com/cosmos/cosmos-sdk"), "proto"),
      modDir("github.com/cosmos/gogoproto"),
      path.join(modDir("github.com/cosmos/cosmos-proto"), "proto"),
    ];
  }
  const require = createRequire(import.meta.url);
  dirs.push(path.dirname(require.resolve("protobufjs/package.json")));
  return dirs;
}

/** loadProtos parses the proto files (field names kept in snake_case). */
export function loadProtos(includeDirs = protoIncludePath(), files = PROTO_FILES) {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`proto import ${target} not found in ${includeDirs.join(path.delimiter)}`);
  };
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

/** msgTypes returns every Msg type of a package that has a signer (the tx messages). */
export function msgTypes(root, pkg) {
  const ns = root.lookup(pkg);
  return Object.values(ns.nested)
    .filter((t) => t instanceof protobuf.Type && t.options?.["(cosmos.msg.v1.signer)"] !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** typeUrl of a protobufjs type: "/agentchain.market.v1.MsgHire". */
export function typeUrl(type) {
  return "/" + type.fullName.replace(/^\./, "");
}

/**
 * registryType adapts a protobufjs type to CosmJS's Registry: values are plain
 * objects with snake_case keys, 64-bit integers as strings or numbers, bytes
 * as Uint8Array.
 */
export function registryType(type) {
  return {
    fromPartial: (value) => type.fromObject(value),
    encode: (message, writer) => type.encode(type.fromObject(message), writer),
    decode: (bytes) => type.toObject(type.decode(bytes), { longs: String, defaults: true }),
  };
}

/** decodeMsgResponse decodes a tx's msg response, or returns null for a type not loaded. */
export function decodeMsgResponse(root, { typeUrl: url, value }) {
  const type = root.lookup(url.replace(/^\//, ""));
  if (!(type instanceof protobuf.Type)) return null;
  return type.toObject(type.decode(value), { longs: String, defaults: true });
}

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const INT32_TYPES = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);
// Amino names are at most 39 characters: Ledger's amino JSON app refuses longer ones.
const MAX_AMINO_NAME = 39;

const opt = (reflected, key) => reflected.options?.[key];

function unsupported(field, what) {
  return new Error(`amino JSON: ${field.parent.fullName}.${field.name}: ${what} is not supported by this converter`);
}

function checkSupported(field) {
  if (field.map) throw unsupported(field, "a map field");
  if (field.partOf) throw unsupported(field, "a oneof field");
  if (opt(field, "(amino.encoding)") && opt(field, "(amino.encoding)") !== "legacy_coins") {
    throw unsupported(field, `amino.encoding "${opt(field, "(amino.encoding)")}"`);
  }
  const scalar = opt(field, "(cosmos_proto.scalar)");
  if (scalar === "cosmos.Dec" && opt(field, "(gogoproto.customtype)") === "cosmossdk.io/math.LegacyDec") {
    throw unsupported(field, "a LegacyDec scalar");
  }
  if (scalar === "cosmos.Int" && (field.type !== "string" || field.repeated)) {
    throw unsupported(field, "a non-string cosmos.Int scalar");
  }
  if (field.resolvedType instanceof protobuf.Type) {
    const name = field.resolvedType.fullName;
    if (name.startsWith(".google.protobuf.")) throw unsupported(field, name);
    if (opt(field.resolvedType, "(amino.message_encoding)")) throw unsupported(field, "amino.message_encoding");
  }
  if (field.type === "float" || field.type === "double") throw unsupported(field, "a floating-point field");
}

const isZeroLong = (v) => (typeof v === "object" && v !== null ? v.isZero() : Number(v) === 0);

// isSet is protoreflect's Message.Has for a proto3 field without presence.
function isSet(field, v) {
  if (field.repeated) return v != null && v.length > 0;
  if (v == null) return false;
  if (field.resolvedType instanceof protobuf.Type) return true;
  if (field.resolvedType instanceof protobuf.Enum) return v !== 0;
  if (LONG_TYPES.has(field.type)) return !isZeroLong(v);
  switch (field.type) {
    case "string":
      return v !== "";
    case "bool":
      return v === true;
    case "bytes":
      return v.length > 0;
    default:
      return v !== 0;
  }
}

function scalarToAmino(field, v) {
  if (field.resolvedType instanceof protobuf.Type) return messageToAmino(field.resolvedType, v);
  if (field.resolvedType instanceof protobuf.Enum) return v;
  if (LONG_TYPES.has(field.type)) return v.toString();
  if (INT32_TYPES.has(field.type)) return v;
  switch (field.type) {
    case "string":
      if (opt(field, "(cosmos_proto.scalar)") === "cosmos.Int" && v === "") return "0";
      return v;
    case "bool":
      return v;
    case "bytes":
      return v == null ? null : Buffer.from(v).toString("base64");
    default:
      throw unsupported(field, `type ${field.type}`);
  }
}

// defaultToAmino is what the encoder writes for an unset dont_omitempty field.
function defaultToAmino(field) {
  if (field.repeated) return opt(field, "(amino.encoding)") === "legacy_coins" ? [] : null;
  if (field.resolvedType instanceof protobuf.Type) {
    // The encoder fails on this too ("dont_omit_empty=true on invalid (nil?)
    // message field"): a non-nullable message field must be sent.
    throw new Error(`amino JSON: ${field.parent.fullName}.${field.name} must be set`);
  }
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  if (LONG_TYPES.has(field.type)) return "0";
  if (INT32_TYPES.has(field.type)) return 0;
  switch (field.type) {
    case "string":
      return opt(field, "(cosmos_proto.scalar)") === "cosmos.Int" ? "0" : "";
    case "bool":
      return false;
    case "bytes":
      return null; // json.Marshal([]byte(nil))
    default:
      throw unsupported(field, `type ${field.type}`);
  }
}

function messageToAmino(type, message) {
  const out = {};
  for (const field of type.fieldsArray) {
    checkSupported(field);
    const name = opt(field, "(amino.field_name)") ?? field.name;
    const v = message[field.name];
    if (!isSet(field, v)) {
      if (opt(field, "(amino.dont_omitempty)") === true) out[name] = defaultToAmino(field);
      continue;
    }
    out[name] = field.repeated ? v.map((e) => scalarToAmino(field, e)) : scalarToAmino(field, v);
  }
  return out;
}

function scalarFromAmino(field, j) {
  if (field.resolvedType instanceof protobuf.Type) return messageFromAmino(field.resolvedType, j);
  if (field.type === "bytes") return new Uint8Array(Buffer.from(j, "base64"));
  return j; // strings (also 64-bit integers), numbers, bools: fromObject takes them
}

function messageFromAmino(type, json) {
  const out = {};
  for (const field of type.fieldsArray) {
    checkSupported(field);
    const j = json?.[opt(field, "(amino.field_name)") ?? field.name];
    if (j === undefined || j === null) continue;
    out[field.name] = field.repeated ? j.map((e) => scalarFromAmino(field, e)) : scalarFromAmino(field, j);
  }
  return out;
}

/**
 * aminoConverter returns the CosmJS AminoConverter of a Msg type. It fails
 * when the type has no amino.name: the chain would then sign over the type
 * URL, which no amino wallet (and no Ledger) would show or produce.
 */
export function aminoConverter(type) {
  const aminoType = opt(type, "(amino.name)");
  if (!aminoType) throw new Error(`${type.fullName} has no (amino.name) option`);
  if (aminoType.length > MAX_AMINO_NAME) {
    throw new Error(`${type.fullName}: amino name ${aminoType} is longer than ${MAX_AMINO_NAME} characters`);
  }
  return {
    aminoType,
    toAmino: (value) => messageToAmino(type, type.fromObject(value)),
    fromAmino: (json) => messageFromAmino(type, json),
  };
}
