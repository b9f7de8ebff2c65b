/**
 * The backend as `cardbench` runs it (shell 'cli', the PC/SC backend only, a data directory of its
 * own) over the virtual pinpad rig, through the in-process Api: ready once the pinpad reader is
 * listed with its card. Must run inside test/rigs/in-private-namespace.sh.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from '#core/ipc/contract.js';
import { createBackend, type Backend } from '../../electron/backend/backend.js';
import { createPcscReaderBackend } from '../../electron/backend/readers/pcsc-reader-backend.js';
import { inProcessApi } from '../support/in-process-api.js';
import { waitFor } from './pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig, type PinpadRig, type VirtualReaderStart } from './pinpad-reader-rig.js';

/** The pinpad reader's id in the reader hub. */
export const PINPAD_READER_ID = `pcsc:${PINPAD_PCSC_NAME}`;

export interface PinpadBackendRig {
  rig: PinpadRig;
  backend: Backend;
  api: Api;
  dataDir: string;
  /** The backend, then the rig; the data directory goes last. */
  stop(): Promise<void>;
}

export async function startPinpadBackendRig(reader: VirtualReaderStart, options: { pcscRetryMs?: number } = {}): Promise<PinpadBackendRig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-data-'));
  let rig: PinpadRig | undefined;
  let backend: Backend | undefined;
  const stop = async () => {
    backend?.dispose();
    await rig?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    rig = await startPinpadRig(reader);
    backend = createBackend({
      shell: 'cli',
      electron: { available: false, reason: 'test' },
      readers: { dataDir, backends: () => [createPcscReaderBackend(options.pcscRetryMs)] },
    });
    const api = inProcessApi(backend);
    const started = rig;
    await waitFor(
      async () => (await api.invoke('readers.list', {})).readers.some((r) => r.id === PINPAD_READER_ID && r.cardPresent),
      20_000,
      () => `pinpad reader not listed:\n${started.pcscd.log().slice(-2000)}`,
    );
    return { rig, backend, api, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
