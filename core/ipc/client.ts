/**
 * The calling side of the contract, over any transport that moves envelopes: the Electron
 * preload bridge, the browser-mode WebSocket, or an in-process fake in tests.
 */
import type { Api, ArgsOf, ChannelName, EventMap, EventName, ResultOf } from './contract.js';
import { unwrap, type Envelope } from './envelope.js';
import { CardbenchError } from './errors.js';

export interface EnvelopeTransport {
  call(channel: string, args: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

export function createApiClient(transport: EnvelopeTransport): Api {
  return {
    async invoke<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      const envelope = await transport.call(channel, args);
      if (!isEnvelope(envelope)) {
        throw new CardbenchError('internal', `The backend answered ${channel} with something that is not an envelope.`);
      }
      return unwrap(envelope) as ResultOf<C>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      return transport.subscribe(event, (payload) => listener(payload as EventMap[E]));
    },
  };
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const candidate = value as { ok: unknown; error?: unknown };
  if (candidate.ok === true) return 'result' in candidate;
  return candidate.ok === false && typeof candidate.error === 'object' && candidate.error !== null;
}
