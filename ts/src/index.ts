// @agentchain/client: agentchain's messages, queries and events for
// TypeScript. The types and their encoders are generated from proto/ by
// ts-proto (src/gen, `make proto-gen`), as are the tables behind the amino
// converters and the event decoders; this file gathers them.

export * as agentid from "./gen/agentchain/agentid/v1/tx.js";
export * as agentidQuery from "./gen/agentchain/agentid/v1/query.js";
export * as agentidTypes from "./gen/agentchain/agentid/v1/types.js";
export * as agentidEvents from "./gen/agentchain/agentid/v1/events.js";
export * as escrow from "./gen/agentchain/escrow/v1/tx.js";
export * as escrowQuery from "./gen/agentchain/escrow/v1/query.js";
export * as escrowTypes from "./gen/agentchain/escrow/v1/types.js";
export * as escrowEvents from "./gen/agentchain/escrow/v1/events.js";
export * as market from "./gen/agentchain/market/v1/tx.js";
export * as marketQuery from "./gen/agentchain/market/v1/query.js";
export * as marketTypes from "./gen/agentchain/market/v1/types.js";
export * as marketEvents from "./gen/agentchain/market/v1/events.js";
export * as reputation from "./gen/agentchain/reputation/v1/tx.js";
export * as reputationQuery from "./gen/agentchain/reputation/v1/query.js";
export * as reputationTypes from "./gen/agentchain/reputation/v1/types.js";
export * as reputationEvents from "./gen/agentchain/reputation/v1/events.js";
export { agentchainTypes } from "./registry.js";
export { aminoNames, aminoSchemas } from "./amino-schema.js";
export type { AminoField } from "./amino-types.js";
export { type AminoConverter, createAgentchainAminoConverters, decFromAmino, decToAmino } from "./amino.js";
export { type AbciEvent, type AgentchainEvent, type AgentchainEventMap, decodeEvent, decodeEvents, isAgentchainEvent } from "./events.js";
export { eventTypes } from "./event-types.js";
export {
  type AbciQuerier,
  type AgentchainQueryClient,
  type PartialQuery,
  type Rpc,
  QueryError,
  abciRpc,
  cometRpc,
  createAgentchainQueryClient,
  setupAgentchainExtension,
} from "./query.js";
