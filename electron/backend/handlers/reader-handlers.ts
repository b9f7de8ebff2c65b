/** Handlers of the Readers/Console channels (core/ipc/channels/readers.ts). */
import type { readerChannels } from '#core/ipc/channels/readers.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { Keypad } from '#core/sim/reader/keypad.js';
import type { ReaderBackend } from '../reader-backend.js';
import { recordingBackend, RecordingSwitch } from '../record/recording-backend.js';
import { ConsoleService } from '../readers/console-service.js';
import { defaultReaderBackends, virtualReaderWanted } from '../readers/default-backends.js';
import type { SwitchableBackend } from '../readers/switchable-backend.js';
import { openAppSettings } from '../settings/app-settings.js';
import { inspectReader } from '../readers/reader-inspector.js';
import { ReaderHub } from '../readers/reader-hub.js';
import { openConsoleStore } from '../settings/console-store.js';
import { cardbenchDataDir } from '../settings/data-dir.js';
import type { HandlerContext } from './handler-context.js';

export type ReaderHandlers = Pick<Handlers, keyof typeof readerChannels>;

/** Injectable pieces for tests; production passes nothing. */
export interface ReaderHandlerOptions {
  /**
   * The reader sources; default: PC/SC, direct USB and the built-in virtual reader (defaultReaderBackends).
   * `keypad` is what the built-in virtual reader's keypad should be (the app's on-screen keypad).
   */
  backends?: (shared: { keypad?: Keypad }) => ReaderBackend[];
  /** The built-in virtual reader's keypad (the backend passes its on-screen keypad). */
  virtualKeypad?: Keypad;
  /** Where console.json lives; default cardbenchDataDir() (CARDBENCH_DATA_DIR overrides). */
  dataDir?: string;
  smartcardListPaths?: readonly string[];
}

export function createReaderHandlers(context: HandlerContext, options: ReaderHandlerOptions = {}): ReaderHandlers {
  return createReaderDomain(context, options).handlers;
}

/** The handlers and, for the domains that work on the same readers (the Pinpad), the hub they share. */
export function createReaderDomain(
  context: HandlerContext,
  options: ReaderHandlerOptions = {},
): { handlers: ReaderHandlers; hub: () => ReaderHub; recording: () => RecordingSwitch } {
  // Created on first use: a backend that never shows readers (a unit test, `cardbench decode`) never opens PC/SC.
  let state: { hub: ReaderHub; console: ConsoleService; virtual?: SwitchableBackend } | undefined;
  const recording = new RecordingSwitch();
  const dataDir = (): string => options.dataDir ?? cardbenchDataDir();
  const settings = () => {
    try {
      return openAppSettings(dataDir());
    } catch {
      return undefined;
    }
  };
  const get = (): { hub: ReaderHub; console: ConsoleService; virtual?: SwitchableBackend } => {
    if (state) return state;
    let backends: ReaderBackend[];
    let virtual: SwitchableBackend | undefined;
    const keypad = options.virtualKeypad ? { keypad: options.virtualKeypad } : {};
    if (options.backends) backends = options.backends(keypad);
    else {
      ({ backends, virtual } = defaultReaderBackends({ virtual: virtualReaderWanted(settings()?.value.virtualReader ?? true), ...keypad }));
    }
    // Every reader call goes through the recording wrappers: a recording covers Console, scripts and Pinpad alike.
    const hub = new ReaderHub(backends.map((backend) => recordingBackend(backend, recording)));
    let store;
    try {
      store = openConsoleStore(dataDir());
    } catch {
      store = undefined;
    }
    state = { hub, console: new ConsoleService(hub, store), ...(virtual ? { virtual } : {}) };
    hub.onChange((snapshot) => context.emit({ event: 'readers.changed', payload: snapshot }));
    context.onDispose(() => hub.dispose());
    return state;
  };

  const handlers: ReaderHandlers = {
    'readers.list': async () => {
      const { hub } = get();
      return hub.settled();
    },
    'readers.inspect': ({ reader }) =>
      inspectReader(get().hub, reader, options.smartcardListPaths ? { smartcardListPaths: options.smartcardListPaths } : {}),
    'card.transmit': (args) => get().console.transmit(args),
    'card.disconnect': async ({ reader }) => {
      await get().console.reconnect(reader, false);
      return { reader };
    },
    'card.reconnect': async ({ reader }) => {
      await get().console.reconnect(reader, true);
      return { reader };
    },
    'console.history': ({ query, limit }) => get().console.history(query, limit),
    'console.clearHistory': () => {
      get().console.clearHistory();
      return { cleared: true as const };
    },
    'console.snippets': () => get().console.snippets(),
    'console.saveSnippet': (snippet) =>
      get().console.saveSnippet(
        snippet.note === undefined
          ? { name: snippet.name, apdu: snippet.apdu }
          : { name: snippet.name, apdu: snippet.apdu, note: snippet.note },
      ),
    'console.deleteSnippet': ({ name }) => get().console.deleteSnippet(name),
    'console.runScript': (args) => get().console.runScript(args),
    'console.exportSession': () => get().console.exportSession(),
    'readers.setVirtualReader': async ({ enabled }) => {
      const { virtual } = get();
      if (!virtual) throw new CardbenchError('not-implemented', 'This backend was started with a fixed set of readers.');
      settings()?.update((value) => ({ ...value, virtualReader: enabled }));
      await virtual.setEnabled(enabled);
      return { enabled: virtual.enabled };
    },
  };
  return { handlers, hub: () => get().hub, recording: () => recording };
}
