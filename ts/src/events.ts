// Typed decoders of agentchain's events. Every state change emits a typed
// event (proto messages Event* of events.proto) as the SDK's
// EmitTypedEvent writes it: the event type is the message's full name and
// each attribute is one field, its value the field's proto JSON, plus the
// SDK's msg_index. These functions turn a CometBFT event back into the
// ts-proto value.

import { type AgentchainEventMap, eventTypes } from "./event-types.js";

export type { AgentchainEventMap } from "./event-types.js";

/** An event as CometBFT and CosmJS report it (attributes as strings or bytes). */
export interface AbciEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string | Uint8Array; readonly value: string | Uint8Array }[];
}

/** A decoded agentchain event: its type and its typed value. */
export type AgentchainEvent = {
  [K in keyof AgentchainEventMap]: { readonly type: K; readonly value: AgentchainEventMap[K] };
}[keyof AgentchainEventMap];

const text = (v: string | Uint8Array) => (typeof v === "string" ? v : new TextDecoder().decode(v));

/** isAgentchainEvent reports whether a CometBFT event type is one of agentchain's typed events. */
export function isAgentchainEvent(type: string): type is keyof AgentchainEventMap {
  return Object.prototype.hasOwnProperty.call(eventTypes, type);
}

/**
 * decodeEvent returns the typed value of an agentchain event, or undefined
 * for any other event (the SDK's own, such as coin_received or message). It
 * throws when an agentchain event's attribute is not valid JSON.
 */
export function decodeEvent(event: AbciEvent): AgentchainEvent | undefined {
  if (!isAgentchainEvent(event.type)) return undefined;
  const object: Record<string, unknown> = {};
  for (const attr of event.attributes) {
    const key = text(attr.key);
    if (key === "msg_index" || key === "mode") continue;
    const raw = text(attr.value);
    try {
      object[key] = JSON.parse(raw);
    } catch {
      throw new Error(`event ${event.type}: attribute ${key} is not JSON: ${raw}`);
    }
  }
  const decoder = eventTypes[event.type] as { fromJSON(o: unknown): unknown };
  return { type: event.type, value: decoder.fromJSON(object) } as AgentchainEvent;
}

/** decodeEvents decodes every agentchain event of a list, in order, and skips the rest. */
export function decodeEvents(events: readonly AbciEvent[]): AgentchainEvent[] {
  const out: AgentchainEvent[] = [];
  for (const e of events) {
    const d = decodeEvent(e);
    if (d !== undefined) out.push(d);
  }
  return out;
}
