/** Handlers of the Readers/Console channels (core/ipc/channels/readers.ts). */
import type { readerChannels } from '../../../core/ipc/channels/readers.js';
import type { Handlers } from '../../../core/ipc/dispatch.js';
import type { HandlerContext } from './handler-context.js';

export type ReaderHandlers = Pick<Handlers, keyof typeof readerChannels>;

/** Injectable pieces for tests (e.g. a PC/SC factory); production passes nothing. */
export type ReaderHandlerOptions = object;

export function createReaderHandlers(_context: HandlerContext, _options: ReaderHandlerOptions = {}): ReaderHandlers {
  return {};
}
