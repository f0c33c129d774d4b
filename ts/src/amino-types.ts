/**
 * One field of a message as the chain's amino JSON encoder
 * (cosmossdk.io/x/tx, signing/aminojson) writes it. The tables in
 * amino-schema.ts are generated from the proto options; amino.ts reads them.
 */
export interface AminoField {
  /** key in amino JSON: the proto field name, or its amino.field_name. */
  readonly key: string;
  /** property of the ts-proto object (the field's JSON name). */
  readonly prop: string;
  /**
   * string, bool, bytes (base64), int32 and enum (numbers), int64 (decimal
   * string), int (cosmos.Int string, "0" when empty), dec (cosmos.Dec: the
   * proto string holds the 18-decimal integer, amino JSON the decimal), or
   * message (nested, described by `type`).
   */
  readonly kind: "string" | "bool" | "bytes" | "int32" | "enum" | "int64" | "int" | "dec" | "message";
  /** full proto name of a message field's type. */
  readonly type?: string;
  readonly repeated?: boolean;
  /** amino.dont_omitempty: written even when unset. */
  readonly dontOmitEmpty?: boolean;
  /** amino.encoding = "legacy_coins": an empty list is [] rather than null. */
  readonly legacyCoins?: boolean;
}
