// Amino JSON converters for every agentchain message, for CosmJS's AminoTypes
// (SIGN_MODE_LEGACY_AMINO_JSON, the mode of Ledger and of amino-only
// wallets). A signature in this mode covers the JSON the chain's encoder
// (cosmossdk.io/x/tx, signing/aminojson) writes for the message, so the
// converters follow its rules, driven by the tables generated from the proto
// options (amino-schema.ts):
//   - the message is {"type": <amino.name>, "value": {...}} (CosmJS wraps it);
//   - keys are the proto field names (or amino.field_name); CosmJS sorts them;
//   - a field that is not set (proto3 default, empty list, absent message) is
//     left out unless it has amino.dont_omitempty: then it is written as its
//     default, an empty list as null (as [] with amino.encoding
//     "legacy_coins"), and an absent message is an error, as on the chain;
//   - 64-bit integers are decimal strings, 32-bit integers and enums numbers,
//     bytes standard base64; cosmos.Int strings are "0" when empty, and
//     cosmos.Dec strings (the 18-decimal integer on the wire) are decimals
//     with 18 places.

import { aminoNames, aminoSchemas } from "./amino-schema.js";
import { fromBase64, toBase64 } from "./base64.js";
import type { AminoField } from "./amino-types.js";
import { agentchainTypes } from "./registry.js";

/** CosmJS's AminoConverter (@cosmjs/stargate), restated to need no import. */
export interface AminoConverter {
  readonly aminoType: string;
  toAmino(value: any): any;
  fromAmino(value: any): any;
}

/** The number of decimal places of a cosmos.Dec (math.LegacyDec). */
const DEC_PLACES = 18;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isSet(f: AminoField, v: any): boolean {
  if (f.repeated) return v != null && v.length > 0;
  if (v === undefined || v === null) return false;
  switch (f.kind) {
    case "message":
      return true;
    case "int64":
      return BigInt(v) !== 0n;
    case "string":
    case "int":
    case "dec":
      return v !== "";
    case "bool":
      return v === true;
    case "bytes":
      return v.length > 0;
    default:
      return v !== 0;
  }
}

/** decToAmino writes a cosmos.Dec's wire integer as math.LegacyDec.String does. */
export function decToAmino(atomics: string): string {
  if (atomics === "") return "0";
  if (!/^-?\d+$/.test(atomics)) throw new Error(`amino JSON: ${JSON.stringify(atomics)} is not a cosmos.Dec (an integer of 10^-18 units)`);
  let n = BigInt(atomics);
  const neg = n < 0n;
  if (neg) n = -n;
  const digits = n.toString().padStart(DEC_PLACES + 1, "0");
  const cut = digits.length - DEC_PLACES;
  return `${neg ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** decFromAmino reads a decimal back into a cosmos.Dec's wire integer. */
export function decFromAmino(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[3] ?? "").length > DEC_PLACES) throw new Error(`amino JSON: ${JSON.stringify(s)} is not a decimal with at most ${DEC_PLACES} places`);
  const n = BigInt(m[2] + (m[3] ?? "").padEnd(DEC_PLACES, "0"));
  return (m[1] === "-" && n !== 0n ? -n : n).toString();
}

function valueToAmino(f: AminoField, v: any): Json {
  switch (f.kind) {
    case "message":
      return messageToAmino(f.type!, v);
    case "int64":
      return BigInt(v).toString();
    case "int":
      return v === "" ? "0" : v;
    case "dec":
      return decToAmino(v);
    case "bytes":
      return toBase64(v);
    default:
      return v;
  }
}

function defaultToAmino(owner: string, f: AminoField): Json {
  if (f.repeated) return f.legacyCoins ? [] : null;
  switch (f.kind) {
    case "message":
      // The chain's encoder refuses an absent non-nullable message too.
      throw new Error(`amino JSON: ${owner}.${f.key} must be set`);
    case "int64":
    case "int":
    case "dec":
      return "0";
    case "string":
      return "";
    case "bool":
      return false;
    case "bytes":
      return null; // Go's json.Marshal of a nil []byte
    default:
      return 0;
  }
}

function messageToAmino(type: string, message: any): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const f of aminoSchemas[type]) {
    const v = message?.[f.prop];
    if (!isSet(f, v)) {
      if (f.dontOmitEmpty) out[f.key] = defaultToAmino(type, f);
      continue;
    }
    out[f.key] = f.repeated ? v.map((e: any) => valueToAmino(f, e)) : valueToAmino(f, v);
  }
  return out;
}

function valueFromAmino(f: AminoField, j: any): any {
  switch (f.kind) {
    case "message":
      return messageFromAmino(f.type!, j);
    case "int64":
      return BigInt(j);
    case "dec":
      return decFromAmino(j);
    case "bytes":
      return fromBase64(j);
    default:
      return j;
  }
}

function messageFromAmino(type: string, json: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of aminoSchemas[type]) {
    const j = json?.[f.key];
    if (j === undefined || j === null) continue;
    out[f.prop] = f.repeated ? j.map((e: any) => valueFromAmino(f, e)) : valueFromAmino(f, j);
  }
  return out;
}

/**
 * The amino converter of every agentchain message, by type URL, to spread
 * into CosmJS's AminoTypes next to createDefaultAminoConverters(). toAmino
 * takes what a program hands to signAndBroadcast (a ts-proto object or a
 * partial one: numbers or strings for 64-bit integers are fine) and fromAmino
 * returns a ts-proto object.
 */
export function createAgentchainAminoConverters(): Record<string, AminoConverter> {
  const out: Record<string, AminoConverter> = {};
  for (const [url, codec] of agentchainTypes) {
    const aminoType = aminoNames[url];
    const type = url.slice(1);
    if (aminoType === undefined || aminoSchemas[type] === undefined) throw new Error(`amino JSON: no amino name for ${url}`);
    out[url] = {
      aminoType,
      toAmino: (value) => messageToAmino(type, (codec.fromPartial as (v: unknown) => unknown)(value ?? {})),
      fromAmino: (json) => (codec.fromPartial as (v: unknown) => unknown)(messageFromAmino(type, json)),
    };
  }
  return out;
}
