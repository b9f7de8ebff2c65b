/** Handlers of the Captures channels (core/ipc/channels/captures.ts). */
import type { captureChannels } from '../../../core/ipc/channels/captures.js';
import type { Handlers } from '../../../core/ipc/dispatch.js';
import type { HandlerContext } from './handler-context.js';

export type CaptureHandlers = Pick<Handlers, keyof typeof captureChannels>;

/** Injectable pieces for tests; production passes nothing. */
export type CaptureHandlerOptions = object;

export function createCaptureHandlers(_context: HandlerContext, _options: CaptureHandlerOptions = {}): CaptureHandlers {
  return {};
}
