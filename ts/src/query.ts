// Query clients for every agentchain query, over ABCI queries: either a
// CosmJS QueryClient (@cosmjs/stargate) or a CometBFT RPC endpoint reached
// with fetch (no gRPC-web, no other dependency; works in a browser).

import { fromBase64 } from "./base64.js";
import * as agentid from "./gen/agentchain/agentid/v1/query.js";
import * as escrow from "./gen/agentchain/escrow/v1/query.js";
import * as market from "./gen/agentchain/market/v1/query.js";
import * as reputation from "./gen/agentchain/reputation/v1/query.js";

/** Rpc is what ts-proto's query clients call: one unary request. */
export interface Rpc {
  request(service: string, method: string, data: Uint8Array): Promise<Uint8Array>;
}

/** A ts-proto Query service whose methods take a partial request (fields left out are their defaults). */
export type PartialQuery<Q> = {
  readonly [K in keyof Q]: Q[K] extends (request: infer R) => infer A ? (request?: agentid.DeepPartial<R>) => A : never;
};

/** The query clients of the four modules. */
export interface AgentchainQueryClient {
  readonly agentid: PartialQuery<agentid.Query>;
  readonly escrow: PartialQuery<escrow.Query>;
  readonly market: PartialQuery<market.Query>;
  readonly reputation: PartialQuery<reputation.Query>;
}

interface RequestCodec {
  fromPartial(object: unknown): unknown;
}

// partial wraps a ts-proto client so that each method first completes its
// request with fromPartial: the generated encoders need every field, and
// `Agents({})` or `Job({ id: 1n })` should just work. Each method's request
// type is Query<Method>Request of the same module (buf lint keeps the names).
function partial<Q extends object>(mod: Record<string, unknown>, impl: Q): PartialQuery<Q> {
  const out: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(impl))) {
    if (name === "constructor") continue;
    const codec = mod[`Query${name}Request`] as RequestCodec | undefined;
    if (codec === undefined) throw new Error(`query client: no Query${name}Request for method ${name}`);
    const method = (impl as Record<string, (r: unknown) => unknown>)[name].bind(impl);
    out[name] = (request?: unknown) => method(codec.fromPartial(request ?? {}));
  }
  return out as PartialQuery<Q>;
}

/**
 * createAgentchainQueryClient returns the four modules' query clients over
 * rpc. Requests may be partial: `client.market.Job({ id: 1n })`.
 */
export function createAgentchainQueryClient(rpc: Rpc): AgentchainQueryClient {
  return {
    agentid: partial(agentid, new agentid.QueryClientImpl(rpc)),
    escrow: partial(escrow, new escrow.QueryClientImpl(rpc)),
    market: partial(market, new market.QueryClientImpl(rpc)),
    reputation: partial(reputation, new reputation.QueryClientImpl(rpc)),
  };
}

/** What CosmJS's QueryClient offers (its queryAbci), restated to need no import. */
export interface AbciQuerier {
  queryAbci(path: string, request: Uint8Array, desiredHeight?: number): Promise<{ readonly value: Uint8Array }>;
}

/** abciRpc runs queries through a CosmJS QueryClient (or anything with its queryAbci). */
export function abciRpc(querier: AbciQuerier, height?: number): Rpc {
  return {
    request: async (service, method, data) => (await querier.queryAbci(`/${service}/${method}`, data, height)).value,
  };
}

/**
 * setupAgentchainExtension is a CosmJS query extension:
 * QueryClient.withExtensions(cometClient, setupAgentchainExtension) gives
 * `client.agentchain.market.Job({ id: 1n })` and so on.
 */
export function setupAgentchainExtension(base: AbciQuerier): { agentchain: AgentchainQueryClient } {
  return { agentchain: createAgentchainQueryClient(abciRpc(base)) };
}

/** Thrown when the node answers a query with a non-zero ABCI code. */
export class QueryError extends Error {
  constructor(
    readonly path: string,
    readonly code: number,
    readonly codespace: string,
    readonly log: string,
  ) {
    super(`query ${path} failed (${codespace} code ${code}): ${log}`);
    this.name = "QueryError";
  }
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * cometRpc runs queries as CometBFT JSON-RPC abci_query calls on url (the
 * node's RPC, e.g. http://127.0.0.1:26657), at the latest height or at
 * `height`. A refused query throws QueryError with the node's message.
 */
export function cometRpc(url: string, options: { height?: bigint; fetch?: typeof fetch } = {}): Rpc {
  const doFetch = options.fetch ?? globalThis.fetch;
  const endpoint = url.replace(/\/+$/, "");
  let id = 0;
  return {
    request: async (service, method, data) => {
      const path = `/${service}/${method}`;
      const params: Record<string, unknown> = { path, data: hex(data), prove: false };
      if (options.height !== undefined) params.height = options.height.toString();
      const res = await doFetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "abci_query", params }),
      });
      if (!res.ok) throw new Error(`query ${path}: HTTP ${res.status} from ${endpoint}`);
      const body = (await res.json()) as {
        error?: { message: string; data?: string };
        result?: { response: { code?: number; codespace?: string; log?: string; value?: string | null } };
      };
      if (body.error) throw new Error(`query ${path}: ${body.error.message}${body.error.data ? `: ${body.error.data}` : ""}`);
      const r = body.result!.response;
      if (r.code) throw new QueryError(path, r.code, r.codespace ?? "", r.log ?? "");
      return r.value ? fromBase64(r.value) : new Uint8Array(0);
    },
  };
}
