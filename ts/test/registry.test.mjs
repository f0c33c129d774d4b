// The package's registry holds exactly the chain's messages: every message
// of proto/agentchain/*/v1/tx.proto that names a signer, under its type URL,
// with an encoder that round-trips it.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";

import { agentchainTypes, market } from "../dist/index.js";

const protoDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "proto", "agentchain");

function signedMessages() {
  const urls = [];
  for (const mod of fs.readdirSync(protoDir).sort()) {
    const file = path.join(protoDir, mod, "v1", "tx.proto");
    if (!fs.existsSync(file)) continue;
    const src = fs.readFileSync(file, "utf8");
    const pkg = /^package ([\w.]+);/m.exec(src)[1];
    for (const m of src.matchAll(/^message (Msg\w+) \{([^}]*)/gm)) {
      if (m[2].includes("(cosmos.msg.v1.signer)")) urls.push(`/${pkg}.${m[1]}`);
    }
  }
  return urls.sort();
}

test("the registry holds every signed message of the four modules", () => {
  const want = signedMessages();
  assert.ok(want.length > 40, `only ${want.length} messages found in ${protoDir}`);
  assert.deepEqual(agentchainTypes.map(([url]) => url).sort(), want);
});

test("every encoder round-trips its message", () => {
  for (const [url, type] of agentchainTypes) {
    const msg = type.fromPartial({});
    assert.deepEqual(type.decode(type.encode(msg).finish()), msg, url);
  }
});

test("a hire encodes its fields as the chain reads them", () => {
  const hire = market.MsgHire.fromPartial({
    client: "agent1client", listingId: 7n, specUri: "https://spec.example", specHash: new Uint8Array([1, 2, 3]), deliverBy: 1_000n,
  });
  const bytes = market.MsgHire.encode(hire).finish();
  // field 1 (client), string: tag 0x0a, length 12.
  assert.deepEqual([...bytes.slice(0, 2)], [0x0a, 12]);
  const back = market.MsgHire.decode(bytes);
  assert.equal(back.listingId, 7n);
  assert.equal(back.deliverBy, 1_000n);
  assert.deepEqual(market.MsgHire.toJSON(back), {
    client: "agent1client", listingId: "7", specUri: "https://spec.example", specHash: "AQID", deliverBy: "1000",
  });
});
