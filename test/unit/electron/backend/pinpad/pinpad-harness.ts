/**
 * The pinpad backend as the renderer sees it: the real backend (contract, dispatch, service, reader
 * hub) over the built-in virtual reader or a direct-USB reader, through the in-process Api whose
 * payloads go through JSON like the real transports. A "person" answers the on-screen keypad from a
 * queue of actions, reacting to the backend's own keypadRequest events (no sleeps).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinpadKeypadDone, PinpadKeypadRequest, PinpadRunState } from '#core/ipc/channels/pinpad.js';
import type { Api } from '#core/ipc/contract.js';
import type { Keypad } from '#core/sim/reader/keypad.js';
import { createBackend, type Backend } from '../../../../../electron/backend/backend.js';
import type { ReaderBackend } from '../../../../../electron/backend/reader-backend.js';
import { controllableProbes } from '../../../../support/fake-probes.js';
import { inProcessApi } from '../../../../support/in-process-api.js';

/** What the person at the on-screen keypad does for the next request. */
export type KeypadAction =
  | { type: 'type'; digits: string }
  | { type: 'cancel' }
  /** Nobody touches the keypad: its timeout ends the entry. */
  | { type: 'ignore' }
  /** The wizard's Cancel button: pinpad.cancel, which aborts the entry on the reader. */
  | { type: 'host-cancel' };

export interface PinpadHarness {
  api: Api;
  backend: Backend;
  dataDir: string;
  /** Queues what the person does at the next keypad requests, in order. */
  keypad(...actions: KeypadAction[]): void;
  requests: PinpadKeypadRequest[];
  done: PinpadKeypadDone[];
  states: PinpadRunState[];
  /** Answers to pinpad.cancel and keypadInput made by the person. */
  answers: unknown[];
  dispose(): Promise<void>;
}

export function startPinpadBackend(backends: (shared: { keypad?: Keypad }) => ReaderBackend[]): PinpadHarness {
  const dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-'));
  const backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'test' } }),
    readers: { backends, dataDir },
  });
  const api = inProcessApi(backend);
  const queue: KeypadAction[] = [];
  const harness: PinpadHarness = {
    api,
    backend,
    dataDir,
    keypad: (...actions) => queue.push(...actions),
    requests: [],
    done: [],
    states: [],
    answers: [],
    dispose: async () => {
      backend.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  api.on('pinpad.runState', (state) => harness.states.push(state));
  api.on('pinpad.keypadDone', (done) => harness.done.push(done));
  api.on('pinpad.keypadRequest', (request) => {
    harness.requests.push(request);
    const action = queue.shift() ?? { type: 'ignore' };
    const answer = async (): Promise<unknown> => {
      switch (action.type) {
        case 'type': {
          // A person presses the keys one by one, then OK.
          for (const digit of action.digits)
            await api.invoke('pinpad.keypadInput', { requestId: request.requestId, action: 'digits', digits: digit });
          return api.invoke('pinpad.keypadInput', { requestId: request.requestId, action: 'ok' });
        }
        case 'cancel':
          return api.invoke('pinpad.keypadInput', { requestId: request.requestId, action: 'cancel' });
        case 'host-cancel':
          return api.invoke('pinpad.cancel', { reader: request.reader });
        case 'ignore':
          return undefined;
      }
    };
    void answer().then((value) => harness.answers.push(value));
  });
  return harness;
}

/** Every file under `dir` with its text (latin1, so any byte sequence is searchable). */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

/** The forms a PIN's digits take on the wire: as typed, ASCII hex, and hex of those bytes again. */
export function pinForms(pin: string): string[] {
  const ascii = Buffer.from(pin, 'ascii').toString('hex');
  return [pin, ascii, ascii.toUpperCase(), Buffer.from(pin, 'ascii').toString('latin1')];
}
