/**
 * Messages of the browser-mode bridge (one JSON text frame each). The Electron shell does not
 * need these: ipcRenderer.invoke already pairs requests and answers.
 */
import { z } from 'zod';
import type { EventMap, EventName } from './contract.js';
import type { Envelope } from './envelope.js';

/** Requests bigger than this are refused before parsing: nothing in the contract needs more. */
export const MAX_WIRE_MESSAGE_BYTES = 1024 * 1024;

export const wireRequestSchema = z
  .object({
    kind: z.literal('request'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(100),
    args: z.unknown(),
  })
  .strict();

export type WireRequest = z.infer<typeof wireRequestSchema>;

export interface WireResponse {
  kind: 'response';
  id: number;
  envelope: Envelope<unknown>;
}

export interface WireEvent<E extends EventName = EventName> {
  kind: 'event';
  event: E;
  payload: EventMap[E];
}

export type WireServerMessage = WireResponse | WireEvent;

/**
 * Parses one frame from a client. Returns a reason instead of throwing, because a bad frame
 * closes that one connection and must never reach the server's error path.
 */
export function parseWireRequest(text: string): { ok: true; request: WireRequest } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const parsed = wireRequestSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `frame is not a request: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  }
  return { ok: true, request: parsed.data };
}
