// The amino converters write what the chain's amino JSON encoder writes
// (cosmossdk.io/x/tx, signing/aminojson); the CosmJS e2e test signs every
// message in this mode against a real node. These tests pin the rules and
// check that the generated tables match the ts-proto types.
import assert from "node:assert/strict";
import test from "node:test";

import {
  agentchainTypes,
  aminoNames,
  aminoSchemas,
  createAgentchainAminoConverters,
  decFromAmino,
  decToAmino,
  escrow,
  market,
  reputation,
} from "../dist/index.js";

const converters = createAgentchainAminoConverters();
const codecs = Object.fromEntries(agentchainTypes);

// sample fills every field of a message with a value that is not its default.
function sample(type, depth = 0) {
  const out = {};
  for (const f of aminoSchemas[type]) {
    let v;
    switch (f.kind) {
      case "message":
        v = depth > 4 ? undefined : sample(f.type, depth + 1);
        break;
      case "int64":
        v = 18446744073709551615n; // the largest uint64 survives
        break;
      case "int32":
      case "enum":
        v = 1;
        break;
      case "int":
        v = "12345678901234567890123";
        break;
      case "dec":
        v = "500000000000000000";
        break;
      case "bool":
        v = true;
        break;
      case "bytes":
        v = new Uint8Array([0, 1, 254, 255]);
        break;
      default:
        v = `${f.key} value`;
    }
    if (v !== undefined) out[f.prop] = f.repeated ? [v, v] : v;
  }
  return out;
}

test("every message has a converter under its amino name", () => {
  assert.equal(Object.keys(converters).length, agentchainTypes.length);
  for (const [url] of agentchainTypes) {
    const mod = url.split(".")[1];
    const name = url.split(".").pop();
    assert.equal(converters[url].aminoType, aminoNames[url]);
    assert.equal(aminoNames[url], `${mod}/${name}`, url);
  }
});

test("the tables name the ts-proto properties of every field", () => {
  for (const [url, codec] of agentchainTypes) {
    const check = (type, value) => {
      for (const f of aminoSchemas[type]) {
        assert.ok(f.prop in value, `${type}: ts-proto has no property ${f.prop}`);
        if (f.kind === "message" && !f.repeated) check(f.type, value[f.prop] ?? {});
      }
    };
    check(url.slice(1), codec.fromPartial(sample(url.slice(1))));
  }
});

test("every converter round-trips a fully populated message", () => {
  for (const [url, codec] of agentchainTypes) {
    const msg = codec.fromPartial(sample(url.slice(1)));
    const json = converters[url].toAmino(msg);
    assert.deepEqual(converters[url].fromAmino(json), msg, url);
    // and the JSON carries no bigint or bytes, only what JSON can hold
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json, url);
  }
});

test("unset fields: omitted, or their default with dont_omitempty", () => {
  const hire = converters["/agentchain.market.v1.MsgHire"].toAmino({ client: "agent1c", listingId: 3, deliverBy: "0" });
  // milestones is dont_omitempty: an empty list is null; deliver_by 0 is left out
  assert.deepEqual(hire, { client: "agent1c", listing_id: "3", milestones: null });

  // legacy_coins: an empty dont_omitempty coin list is [], an empty plain one left out
  assert.deepEqual(converters["/agentchain.escrow.v1.MsgCreateEscrow"].toAmino({ payer: "p", payee: "q" }), {
    payer: "p",
    payee: "q",
    amount: [],
  });
  assert.deepEqual(converters["/agentchain.escrow.v1.MsgRelease"].toAmino({ payer: "p", escrowId: 1n }), { payer: "p", escrow_id: "1" });

  // a coin's amount is a cosmos.Int: "0" when empty, and always written
  const listing = converters["/agentchain.market.v1.MsgCreateListing"].toAmino({ signer: "s", provider: 1n, price: { denom: "uagnt", amount: "" } });
  assert.deepEqual(listing.price, { denom: "uagnt", amount: "0" });

  // a non-nullable message that is absent is refused, as the chain's encoder does
  assert.throws(() => converters["/agentchain.market.v1.MsgCreateListing"].toAmino({ signer: "s" }), /MsgCreateListing\.price must be set/);

  // 32-bit integers and enums are numbers; bytes base64
  const reject = converters["/agentchain.market.v1.MsgReject"].toAmino({ client: "c", jobId: 9n, milestone: 2, reason: 1, evidenceHash: new Uint8Array([255, 0]) });
  assert.deepEqual(reject, { client: "c", job_id: "9", milestone: 2, reason: 1, evidence_hash: "/wA=" });
});

test("cosmos.Dec: the wire integer of 10^-18 units is a decimal in amino JSON", () => {
  assert.equal(decToAmino("500000000000000000"), "0.500000000000000000");
  assert.equal(decToAmino("1000000000000000000"), "1.000000000000000000");
  assert.equal(decToAmino("-1"), "-0.000000000000000001");
  assert.equal(decToAmino("0"), "0.000000000000000000");
  assert.equal(decToAmino(""), "0");
  assert.equal(decFromAmino("0.500000000000000000"), "500000000000000000");
  assert.equal(decFromAmino("2.5"), "2500000000000000000");
  assert.equal(decFromAmino("-0.000000000000000001"), "-1");
  assert.throws(() => decFromAmino("0.0000000000000000001"), /at most 18 places/);
  assert.throws(() => decToAmino("0.5"), /not a cosmos.Dec/);

  const params = converters["/agentchain.reputation.v1.MsgUpdateParams"].toAmino(
    reputation.MsgUpdateParams.fromPartial({ authority: "gov", params: { priorWeight: "2000000000000000000" } }),
  );
  assert.equal(params.params.prior_weight, "2.000000000000000000");
  assert.equal(params.params.max_weight_per_job, "0"); // dont_omitempty, empty
});

test("fromAmino gives what the registry encodes", () => {
  const url = "/agentchain.escrow.v1.MsgCreateEscrow";
  const json = { payer: "p", payee: "q", amount: [{ denom: "uagnt", amount: "5" }], expires_height: "100", reference: "r" };
  const msg = converters[url].fromAmino(json);
  assert.deepEqual(msg, escrow.MsgCreateEscrow.fromPartial({ payer: "p", payee: "q", amount: [{ denom: "uagnt", amount: "5" }], expiresHeight: 100n, reference: "r" }));
  assert.deepEqual(codecs[url].decode(codecs[url].encode(msg).finish()), msg);
  assert.deepEqual(converters[url].toAmino(msg), json);
  assert.equal(market.MsgHire, codecs["/agentchain.market.v1.MsgHire"]);
});
