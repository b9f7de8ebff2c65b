/**
 * Browser mode's transport: one WebSocket back to the server that served this page. The access
 * token travels as the HttpOnly cookie the server set, never through script.
 */
import type { EnvelopeTransport } from '#core/ipc/client.js';
import type { WireServerMessage } from '#core/ipc/wire.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WebSocketTransport extends EnvelopeTransport {
  onStateChange(listener: (state: ConnectionState, reason?: string) => void): () => void;
}

export function createWebSocketTransport(url: string): WebSocketTransport {
  const socket = new WebSocket(url);
  const pending = new Map<number, (envelope: unknown) => void>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState, reason?: string) => void>();
  let nextId = 1;
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('close', () => reject(new Error('closed')), { once: true });
  });
  opened.catch(() => undefined);

  socket.addEventListener('open', () => stateListeners.forEach((l) => l('open')));
  socket.addEventListener('close', (event) => {
    const reason = event.reason || 'the Cardbench server stopped or the connection was refused';
    for (const [id, resolve] of pending) {
      resolve({ ok: false, error: { code: 'unavailable', message: `Connection to Cardbench lost: ${reason}.` } });
      pending.delete(id);
    }
    stateListeners.forEach((l) => l('closed', reason));
  });
  socket.addEventListener('message', (event) => {
    let message: WireServerMessage;
    try {
      message = JSON.parse(String(event.data)) as WireServerMessage;
    } catch {
      return;
    }
    if (message.kind === 'response') {
      pending.get(message.id)?.(message.envelope);
      pending.delete(message.id);
    } else if (message.kind === 'event') {
      eventListeners.get(message.event)?.forEach((l) => l(message.payload));
    }
  });

  return {
    async call(channel, args) {
      try {
        await opened;
      } catch {
        return {
          ok: false,
          error: { code: 'unavailable', message: 'Cannot reach the Cardbench server: is `cardbench web` still running?' },
        };
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ kind: 'request', id, channel, args }));
      });
    },
    subscribe(event, listener) {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
}
