/**
 * The backend behind the contract: the same object serves the Electron IPC bridge, the
 * browser-mode WebSocket bridge and the CLI. Transports call `call()`; it validates and never
 * throws. Events fan out to every subscriber (one per window or WebSocket).
 */
import type { AppInfo, BackendStatus, ShellKind } from '#core/ipc/app-info.js';
import { dispatch, type Handlers } from '#core/ipc/dispatch.js';
import type { Envelope } from '#core/ipc/envelope.js';
import { createAppHandlers, type SaveSuggestion } from './handlers/app-handlers.js';
import { createCaptureHandlers, type CaptureHandlerOptions } from './handlers/capture-handlers.js';
import { createCompareHandlers } from './handlers/compare-handlers.js';
import type { BackendEvent, HandlerContext } from './handlers/handler-context.js';
import { createPinpadHandlers } from './handlers/pinpad-handlers.js';
import { createReaderDomain, type ReaderHandlerOptions } from './handlers/reader-handlers.js';
import { createRecordHandlers } from './handlers/record-handlers.js';
import { loadPcscLite, probePcsc } from './pcsc/pcsc-probe.js';
import { cardbenchDataDir } from './settings/data-dir.js';
import { probeUsb } from './usb/usb-probe.js';
import { APP_VERSION } from './version.js';
import { OnScreenKeypad } from './virtual-reader/on-screen-keypad.js';
import { VIRTUAL_READER_ID } from './virtual-reader/virtual-reader-backend.js';

export type { BackendEvent };
export type BackendListener = (event: BackendEvent) => void;

export interface BackendProbes {
  pcsc: () => BackendStatus;
  usb: () => BackendStatus;
}

export interface BackendOptions {
  shell: ShellKind;
  /** Why the desktop shell is or is not what serves this backend (see electronStatusFor). */
  electron: BackendStatus;
  probes?: BackendProbes;
  /** How often PC/SC availability is re-checked while someone listens (pcscd may come and go). */
  statusPollMs?: number;
  readers?: ReaderHandlerOptions;
  captures?: CaptureHandlerOptions;
  /** The desktop app's native save dialog (resolves to the chosen path, or null when cancelled). */
  chooseSavePath?: (suggestion: SaveSuggestion) => Promise<string | null>;
}

export interface Backend {
  call(channel: unknown, args: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: BackendListener): () => void;
  /** The current facts, also what app.info answers. */
  info(): AppInfo;
  dispose(): void;
}

export function defaultProbes(): BackendProbes {
  const pcsc = loadPcscLite();
  return {
    pcsc: pcsc.ok ? () => probePcsc(pcsc.factory) : () => pcsc.status,
    usb: probeUsb,
  };
}

export function createBackend(options: BackendOptions): Backend {
  const probes = options.probes ?? defaultProbes();
  const listeners = new Set<BackendListener>();
  // USB buses do not appear while we run; PC/SC services do, so only PC/SC is polled.
  const usbStatus = probes.usb();
  let backends: AppInfo['backends'] = { pcsc: probes.pcsc(), usb: usbStatus, electron: options.electron };
  let poll: ReturnType<typeof setInterval> | undefined;

  const info = (): AppInfo => ({
    name: 'Cardbench',
    version: APP_VERSION,
    shell: options.shell,
    platform: `${process.platform}-${process.arch}`,
    backends,
  });

  const refresh = (): void => {
    const next = { ...backends, pcsc: probes.pcsc() };
    if (JSON.stringify(next) === JSON.stringify(backends)) return;
    backends = next;
    emit({ event: 'app.backendsChanged', payload: backends });
  };

  const emit = (event: BackendEvent): void => {
    for (const listener of listeners) listener(event);
  };

  const cleanups: (() => void | Promise<void>)[] = [];
  const context: HandlerContext = { shell: options.shell, emit: (event) => emit(event), onDispose: (cleanup) => cleanups.push(cleanup) };
  // The built-in virtual reader's keypad is on screen: its requests go out as events, its keys come back through the Pinpad channels.
  const keypad = new OnScreenKeypad(VIRTUAL_READER_ID);
  const readers = createReaderDomain(context, { ...options.readers, virtualKeypad: keypad });
  // Each domain owns its channels; the Handlers type makes sure together they cover the contract.
  const handlers: Handlers = {
    'app.info': () => {
      refresh();
      return info();
    },
    ...createAppHandlers({
      dataDir: () => options.readers?.dataDir ?? cardbenchDataDir(),
      ...(options.chooseSavePath ? { chooseSavePath: options.chooseSavePath } : {}),
    }),
    ...readers.handlers,
    ...createCaptureHandlers(context, options.captures),
    ...createCompareHandlers(context, { hub: readers.hub }),
    ...createPinpadHandlers(context, {
      hub: readers.hub,
      dataDir: () => options.readers?.dataDir ?? cardbenchDataDir(),
      keypad,
      ...(options.readers?.smartcardListPaths ? { smartcardListPaths: options.readers.smartcardListPaths } : {}),
    }),
    ...createRecordHandlers(context, {
      recording: readers.recording,
      ...(options.chooseSavePath ? { chooseSavePath: options.chooseSavePath } : {}),
    }),
  };

  return {
    call: (channel, args) => dispatch(handlers, channel, args),
    subscribe(listener) {
      listeners.add(listener);
      if (!poll) {
        poll = setInterval(refresh, options.statusPollMs ?? 3000);
        poll.unref?.();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && poll) {
          clearInterval(poll);
          poll = undefined;
        }
      };
    },
    info,
    dispose() {
      listeners.clear();
      if (poll) clearInterval(poll);
      poll = undefined;
      for (const cleanup of cleanups.splice(0)) void cleanup();
    },
  };
}
