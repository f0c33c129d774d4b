// Event decoders and query clients, without a node: events as the SDK's
// EmitTypedEvent writes them, and queries against a fake CometBFT RPC.
import assert from "node:assert/strict";
import test from "node:test";

import {
  QueryError,
  abciRpc,
  cometRpc,
  createAgentchainQueryClient,
  decodeEvent,
  decodeEvents,
  eventTypes,
  marketEvents,
  marketQuery,
  marketTypes,
} from "../dist/index.js";

test("every event of events.proto has a decoder", () => {
  const names = Object.keys(eventTypes);
  assert.ok(names.length >= 50, `only ${names.length} event types`);
  for (const n of names) assert.match(n, /^agentchain\.(agentid|escrow|market|reputation)\.v1\.Event\w+$/);
  assert.equal(eventTypes["agentchain.market.v1.EventJobCreated"], marketEvents.EventJobCreated);
});

test("an event decodes from its attributes (JSON values, msg_index ignored)", () => {
  const ev = {
    type: "agentchain.market.v1.EventListingCreated",
    attributes: [
      { key: "capability", value: '"summarize"' },
      { key: "listing_id", value: '"18446744073709551615"' },
      { key: "msg_index", value: "0" },
      { key: "price", value: '{"denom":"uagnt","amount":"2000000"}' },
      { key: "provider", value: '"7"' },
    ],
  };
  assert.deepEqual(decodeEvent(ev), {
    type: "agentchain.market.v1.EventListingCreated",
    value: { listingId: 18446744073709551615n, provider: 7n, capability: "summarize", price: { denom: "uagnt", amount: "2000000" } },
  });
  // attributes as bytes (older CometBFT clients), an enum by name
  const enc = new TextEncoder();
  const status = decodeEvent({
    type: "agentchain.market.v1.EventListingStatusChanged",
    attributes: [
      { key: enc.encode("listing_id"), value: enc.encode('"3"') },
      { key: enc.encode("status"), value: enc.encode('"LISTING_STATUS_PAUSED"') },
    ],
  });
  assert.equal(status.value.status, marketTypes.ListingStatus.LISTING_STATUS_PAUSED);
  // other events are skipped, a broken attribute is an error
  assert.equal(decodeEvent({ type: "coin_received", attributes: [{ key: "amount", value: "1uagnt" }] }), undefined);
  assert.equal(decodeEvents([{ type: "message", attributes: [] }, ev]).length, 1);
  assert.throws(() => decodeEvent({ type: ev.type, attributes: [{ key: "provider", value: "not json" }] }), /provider is not JSON/);
});

// fakeNode answers abci_query like CometBFT, recording each request.
function fakeNode(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    calls.push({ url, body });
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: { response: answer(body.params) } }), { status: 200 });
  };
  return { calls, fetch };
}

test("queries go to abci_query with the gRPC method path and protobuf bytes", async () => {
  const listing = marketTypes.Listing.fromPartial({ id: 5n, provider: 2n, capability: "summarize", price: { denom: "uagnt", amount: "10" } });
  const node = fakeNode((params) => {
    assert.equal(params.path, "/agentchain.market.v1.Query/Listing");
    const req = marketQuery.QueryListingRequest.decode(Buffer.from(params.data, "hex"));
    assert.equal(req.id, 5n);
    const res = marketQuery.QueryListingResponse.encode({ listing }).finish();
    return { code: 0, value: Buffer.from(res).toString("base64") };
  });
  const q = createAgentchainQueryClient(cometRpc("http://127.0.0.1:26657/", { fetch: node.fetch, height: 12n }));
  const res = await q.market.Listing({ id: 5n });
  assert.deepEqual(res.listing, listing);
  assert.equal(node.calls[0].url, "http://127.0.0.1:26657");
  assert.equal(node.calls[0].body.method, "abci_query");
  assert.equal(node.calls[0].body.params.height, "12");
});

test("a refused query is a QueryError with the node's message", async () => {
  const node = fakeNode(() => ({ code: 22, codespace: "market", log: "listing 9 not found" }));
  const q = createAgentchainQueryClient(cometRpc("http://127.0.0.1:26657", { fetch: node.fetch }));
  await assert.rejects(q.market.Listing({ id: 9n }), (err) => {
    assert.ok(err instanceof QueryError);
    assert.equal(err.code, 22);
    assert.equal(err.codespace, "market");
    assert.match(err.message, /listing 9 not found/);
    return true;
  });
});

test("abciRpc runs through a CosmJS QueryClient's queryAbci", async () => {
  const seen = [];
  const querier = {
    queryAbci: async (path, data, height) => {
      seen.push({ path, height });
      return { value: marketQuery.QueryParamsResponse.encode(marketQuery.QueryParamsResponse.fromPartial({ params: { takeRateBps: 250 } })).finish() };
    },
  };
  const q = createAgentchainQueryClient(abciRpc(querier, 40));
  assert.equal((await q.market.Params({})).params.takeRateBps, 250);
  assert.deepEqual(seen, [{ path: "/agentchain.market.v1.Query/Params", height: 40 }]);
});

test("every query method takes a partial request, or none", async () => {
  const paths = [];
  const rpc = {
    request: async (service, method, data) => {
      paths.push(`${service}/${method}`);
      return new Uint8Array(0); // every response decodes from no bytes
    },
  };
  const q = createAgentchainQueryClient(rpc);
  let n = 0;
  for (const mod of ["agentid", "escrow", "market", "reputation"]) {
    for (const name of Object.keys(q[mod])) {
      await q[mod][name]();
      await q[mod][name]({});
      n++;
    }
  }
  assert.ok(n >= 40, `only ${n} query methods`);
  assert.equal(paths.length, 2 * n);
  assert.ok(paths.includes("agentchain.market.v1.Query/JobsByStatus"));
  // a partial request is completed before it is encoded
  const seen = [];
  const q2 = createAgentchainQueryClient({ request: async (_s, _m, data) => (seen.push(marketQuery.QueryJobsByStatusRequest.decode(data)), new Uint8Array(0)) });
  await q2.market.JobsByStatus({ status: 3, pagination: { limit: 5n } });
  assert.equal(seen[0].status, 3);
  assert.equal(seen[0].pagination.limit, 5n);
});
