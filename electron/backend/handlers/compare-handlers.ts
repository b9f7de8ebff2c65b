/** Handlers of the trace comparison channels (core/ipc/channels/compare.ts). */
import type { compareChannels } from '#core/ipc/channels/compare.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CompareStore } from '../compare/compare-store.js';
import type { HandlerContext } from './handler-context.js';

export type CompareHandlers = Pick<Handlers, keyof typeof compareChannels>;

export function createCompareHandlers(context: HandlerContext): CompareHandlers {
  const store = new CompareStore();
  context.onDispose(() => store.closeAll());
  return {
    'compare.open': ({ a, b, timing }) => store.compare(a, b, timing),
    'compare.rows': ({ id, start, count, differencesOnly }) => store.rows(id, start, count, differencesOnly),
    'compare.close': ({ id }) => ({ closed: store.close(id) }),
  };
}
