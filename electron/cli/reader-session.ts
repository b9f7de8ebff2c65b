import { CardbenchError } from '../../core/ipc/errors.js';
import type { ReaderBackend } from '../backend/reader-backend.js';
import { defaultReaderBackends, virtualReaderWanted } from '../backend/readers/default-backends.js';
import { openAppSettings } from '../backend/settings/app-settings.js';
import { cardbenchDataDir } from '../backend/settings/data-dir.js';
import { ReaderHub } from '../backend/readers/reader-hub.js';
import { CliError, EXIT } from './exit-codes.js';

/** The reader sources a CLI command sees: the app's, with the virtual reader as settings and --no-virtual say. */
export function cliReaderBackends(): ReaderBackend[] {
  let setting = true;
  try {
    setting = openAppSettings(cardbenchDataDir()).value.virtualReader;
  } catch {
    // Unreadable settings: keep the default.
  }
  return defaultReaderBackends({ virtual: virtualReaderWanted(setting) }).backends;
}

/**
 * A reader hub for one CLI command: started, settled (every reader has reported its card),
 * handed to the command, always disposed. No backend available at all is exit 3 with the
 * reasons; a CardbenchError becomes its message with exit 1 (3 when something is unavailable).
 */
export async function withReaderHub<T>(
  work: (hub: ReaderHub) => Promise<T>,
  backends: () => ReaderBackend[] = cliReaderBackends,
): Promise<T> {
  const hub = new ReaderHub(backends());
  try {
    const snapshot = await hub.settled();
    if (!snapshot.backends.some((b) => b.status.available)) {
      const reasons = snapshot.backends.map((b) => b.status.reason ?? `${b.kind} is not available.`);
      throw new CliError(reasons.join(' '), EXIT.unavailable);
    }
    return await work(hub);
  } catch (error) {
    if (error instanceof CardbenchError) {
      // A wrong reader name is answered with the names there are; other details are binding text for the curious.
      const hint = error.detail && /^No reader named|matches \d+ readers/.test(error.message) ? ` ${error.detail}` : '';
      throw new CliError(`${error.message}${hint}`, error.code === 'unavailable' ? EXIT.unavailable : EXIT.failure);
    }
    throw error;
  } finally {
    await hub.dispose();
  }
}
