/** Handlers of the Captures channels (core/ipc/channels/captures.ts). */
import type { captureChannels } from '#core/ipc/channels/captures.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { exportCapture } from '../capture-store/capture-export.js';
import { CaptureStore } from '../capture-store/capture-store.js';
import type { HandlerContext } from './handler-context.js';

export type CaptureHandlers = Pick<Handlers, keyof typeof captureChannels>;

/** What the desktop shell adds (native dialog, files from argv); browser mode passes nothing. */
export interface CaptureHandlerOptions {
  /** Shows the native open dialog; resolves to the chosen path or null. */
  pickFile?: () => Promise<string | null>;
  /** Files named on the command line or by file association at start-up. */
  launchFiles?: () => string[];
  /** Later requests to open a file (a second instance, a file dropped on the dock icon). */
  openRequests?: (listener: (path: string) => void) => () => void;
  /** Import chunk size (tests use small chunks to see rows appear during the import). */
  chunkSize?: number;
}

export function createCaptureHandlers(context: HandlerContext, options: CaptureHandlerOptions = {}): CaptureHandlers {
  const store = new CaptureStore({
    onProgress: (status) => context.emit({ event: 'capture.progress', payload: status }),
    ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
  });
  context.onDispose(() => store.closeAll());
  let launchFiles = options.launchFiles?.() ?? [];
  const stopRequests = options.openRequests?.((path) => context.emit({ event: 'capture.openRequested', payload: { path } }));
  if (stopRequests) context.onDispose(stopRequests);

  return {
    'capture.open': async ({ path, name }) => (await store.open(path, name)).status(),
    'capture.pickFile': async () => {
      if (!options.pickFile) {
        throw new CardbenchError(
          'unavailable',
          'There is no native file dialog in browser mode: type the path or drop the file on the page.',
        );
      }
      return { path: await options.pickFile() };
    },
    'capture.launchFiles': () => {
      const paths = launchFiles;
      launchFiles = [];
      return { paths };
    },
    'capture.status': ({ id }) => store.get(id).status(),
    'capture.cancel': ({ id }) => {
      const session = store.get(id);
      session.cancel();
      return session.finished.then(() => session.status());
    },
    'capture.close': ({ id }) => ({ closed: store.close(id) }),
    'capture.rows': async ({ id, start, count, filter }) => {
      const session = store.get(id);
      // A free-text filter is searched in the session's worker first, off this thread.
      await session.prepare(filter);
      const { matched, rows } = session.rows(start, count, filter);
      return { state: session.state, total: session.columns.length, matched, start, rows };
    },
    'capture.indexOf': async ({ id, row, filter }) => {
      const session = store.get(id);
      await session.prepare(filter);
      return { index: session.view(filter).indexOf(row) };
    },
    'capture.detail': ({ id, row }) => {
      const detail = store.get(id).detail(row);
      if (!detail) throw new CardbenchError('invalid-arguments', `The capture has no row ${row + 1} (yet).`);
      return detail;
    },
    'capture.transactions': ({ id, start, count }) => {
      const session = store.get(id);
      return { state: session.state, total: session.conversation().length, transactions: session.transactions(start, count) };
    },
    'capture.timing': ({ id, fromMs, toMs, columns }) => {
      const session = store.get(id);
      return { state: session.state, total: session.conversation().length, ...session.timing({ fromMs, toMs }, columns) };
    },
    'capture.export': ({ id, format, redactPins, range }) => exportCapture(store.get(id), { format, redactPins, range }),
  };
}
