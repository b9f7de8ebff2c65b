import type { BackendStatus } from '#core/ipc/app-info.js';
import { PCSC_LIBRARY_MISSING } from '../native/load-failure.js';
import { loadPcscBinding, type PcscLiteFactory, type PcscLiteInstance } from './pcsc-binding.js';
import { describePcscFailure } from './pcsc-errors.js';

export function loadPcscLite(): { ok: true; factory: PcscLiteFactory } | { ok: false; status: BackendStatus } {
  const loaded = loadPcscBinding();
  if (!loaded.ok) return { ok: false, status: { available: false, reason: loaded.reason ?? PCSC_LIBRARY_MISSING, detail: loaded.error } };
  return { ok: true, factory: loaded.module };
}

/**
 * Is there a PC/SC service to talk to? Establishing a context answers it at once: the binding
 * throws SCARD_E_NO_SERVICE synchronously when pcscd is not running.
 */
export function probePcsc(factory: PcscLiteFactory): BackendStatus {
  let instance: PcscLiteInstance | undefined;
  try {
    instance = factory();
    silence(instance);
    return { available: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure = describePcscFailure(message);
    const reason = failure.name === 'SCARD_E_NO_SERVICE' ? failure.advice : `${failure.name}: ${failure.advice}`;
    return { available: false, reason, detail: message };
  } finally {
    instance?.close();
  }
}

/**
 * Names of the readers PC/SC currently lists. The binding reports readers as events after its
 * first status poll, so this waits until the list has been quiet for `settleMs`.
 */
export async function listPcscReaders(factory: PcscLiteFactory, settleMs = 300): Promise<string[]> {
  const names: string[] = [];
  const instance = factory();
  try {
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(resolve, settleMs);
      instance.on('reader', (reader) => {
        names.push(reader.name);
        reader.on('error', ignore);
        reader.close();
        clearTimeout(timer);
        timer = setTimeout(resolve, 50);
      });
      instance.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    silence(instance);
    instance.close();
  }
  return names;
}

const ignore = (): void => undefined;

/**
 * The binding reports through 'error' events, and an unhandled 'error' event kills the process:
 * close() emits a spurious "cancelled", and reader objects emit "RPC transport error" when pcscd
 * dies. A short-lived instance has nobody to tell, so it swallows them and closes its readers.
 */
function silence(instance: PcscLiteInstance): void {
  instance.on('error', ignore);
  instance.on('reader', (reader) => {
    reader.on('error', ignore);
    reader.close();
  });
}
