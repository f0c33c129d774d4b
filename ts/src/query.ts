// Query clients for every agentchain query, over ABCI queries: either a
// CosmJS QueryClient (@cosmjs/stargate) or a CometBFT RPC endpoint reached
// with fetch (no gRPC-web, no other dependency; works in a browser).

import * as agentid from "./gen/agentchain/agentid/v1/query.js";
import * as escrow from "./gen/agentchain/escrow/v1/query.js";
import * as market from "./gen/agentchain/market/v1/query.js";
import * as reputation from "./gen/agentchain/reputation/v1/query.js";

/** Rpc is what ts-proto's query clients call: one unary request. */
export interface Rpc {
  request(service: string, method: string, data: Uint8Array): Promise<Uint8Array>;
}

/** The query clients of the four modules. */
export interface AgentchainQueryClient {
  readonly agentid: agentid.Query;
  readonly escrow: escrow.Query;
  readonly market: market.Query;
  readonly reputation: reputation.Query;
}

/** createAgentchainQueryClient returns the four modules' query clients over rpc. */
export function createAgentchainQueryClient(rpc: Rpc): AgentchainQueryClient {
  return {
    agentid: new agentid.QueryClientImpl(rpc),
    escrow: new escrow.QueryClientImpl(rpc),
    market: new market.QueryClientImpl(rpc),
    reputation: new reputation.QueryClientImpl(rpc),
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

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

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
