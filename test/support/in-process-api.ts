import { createApiClient } from '#core/ipc/client.js';
import type { Api } from '#core/ipc/contract.js';
import type { Backend } from '../../electron/backend/backend.js';

/**
 * The renderer's Api wired straight to a backend in the same process: the same client and the
 * same dispatch as the real bridges, minus the wire. Payloads go through JSON like the real
 * transports, so nothing non-serialisable can sneak through a test.
 */
export function inProcessApi(backend: Backend): Api {
  const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return createApiClient({
    call: async (channel, args) => roundTrip(await backend.call(channel, roundTrip(args))),
    subscribe: (event, listener) =>
      backend.subscribe((message) => {
        if (message.event === event) listener(roundTrip(message.payload));
      }),
  });
}
