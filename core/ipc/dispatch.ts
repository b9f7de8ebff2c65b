/**
 * The backend side of the contract, transport-free: validate, call the handler, wrap the
 * result. Electron's ipcMain, the browser-mode WebSocket and tests all go through here, so a
 * schema failure or a thrown handler becomes the same typed envelope everywhere.
 */
import { channels, isChannelName, type ChannelName, type ParsedArgsOf, type ResultOf } from './contract.js';
import { failure, success, type Envelope } from './envelope.js';
import { CardbenchError } from './errors.js';

export type Handlers = {
  [C in ChannelName]: (args: ParsedArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C>;
};

/** Partial so a transport or test can serve a subset; a missing handler answers not-implemented. */
export async function dispatch(handlers: Partial<Handlers>, channel: unknown, rawArgs: unknown): Promise<Envelope<unknown>> {
  if (!isChannelName(channel)) {
    return failure(new CardbenchError('unknown-channel', `There is no channel named ${describe(channel)} in the contract.`));
  }
  const parsed = channels[channel].args.safeParse(rawArgs === undefined ? {} : rawArgs);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`);
    return failure(new CardbenchError('invalid-arguments', `Invalid arguments for ${channel}.`, issues.join('; ')));
  }
  try {
    const handler = handlers[channel] as ((args: unknown) => unknown) | undefined;
    if (!handler) return failure(new CardbenchError('not-implemented', `${channel} is not served by this backend.`));
    return success(await handler(parsed.data));
  } catch (error) {
    if (error instanceof CardbenchError) return failure(error);
    const message = error instanceof Error ? error.message : String(error);
    return failure(new CardbenchError('internal', `${channel} failed unexpectedly.`, message));
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : `of type ${typeof value}`;
}
