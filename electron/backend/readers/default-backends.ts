/**
 * The reader sources the app and the CLI use, in the order they are listed: PC/SC, direct USB,
 * then the built-in virtual reader unless it is turned off (settings, or --no-virtual which sets
 * CARDBENCH_NO_VIRTUAL=1 for the run).
 */
import type { Keypad } from '#core/sim/reader/keypad.js';
import { createUsbReaderBackend } from '../ccid-usb/usb-reader-backend.js';
import type { ReaderBackend } from '../reader-backend.js';
import { createVirtualReaderBackend } from '../virtual-reader/virtual-reader-backend.js';
import { createPcscReaderBackend } from './pcsc-reader-backend.js';
import { SwitchableBackend } from './switchable-backend.js';

export const VIRTUAL_OFF_REASON = 'The built-in virtual reader is turned off (settings, or --no-virtual).';

export function virtualReaderWanted(setting: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return setting && env.CARDBENCH_NO_VIRTUAL !== '1';
}

export interface DefaultBackends {
  backends: ReaderBackend[];
  virtual: SwitchableBackend;
}

/** `keypad`: what the built-in virtual reader's keypad is (the app's on-screen keypad, the CLI's terminal). */
export function defaultReaderBackends(options: { virtual: boolean; keypad?: Keypad }): DefaultBackends {
  const keypad = options.keypad;
  const virtual = new SwitchableBackend(
    'virtual',
    () => createVirtualReaderBackend(keypad ? { keypad } : {}),
    VIRTUAL_OFF_REASON,
    options.virtual,
  );
  return { backends: [createPcscReaderBackend(), createUsbReaderBackend(), virtual], virtual };
}
