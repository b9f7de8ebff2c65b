import { CardbenchError } from '#core/ipc/errors.js';
import { abandonOnAbort } from '../backend/abortable.js';
import type { ReaderBackend } from '../backend/reader-backend.js';
import { defaultReaderBackends, virtualReaderWanted } from '../backend/readers/default-backends.js';
import { openAppSettings } from '../backend/settings/app-settings.js';
import { cardbenchDataDir } from '../backend/settings/data-dir.js';
import { ReaderHub, UnknownReaderError } from '../backend/readers/reader-hub.js';
import type { CommandContext } from './command.js';
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

/** Once stopped, releasing may still wait on a device; the process is about to end, so it gets this long. */
const DISPOSE_AFTER_STOP_MS = 200;

/**
 * A reader hub for one CLI command: started, settled (every reader has reported its card),
 * handed to the command, always disposed. No backend available at all is exit 3 with the
 * reasons; a CardbenchError becomes its message with exit 1 (3 when something is unavailable).
 * Once the context's signal has fired, errors pass through untouched: the command says what it did not do.
 */
export async function withReaderHub<T>(
  context: Pick<CommandContext, 'signal' | 'stderr'>,
  work: (hub: ReaderHub) => Promise<T>,
  backends: () => ReaderBackend[] = cliReaderBackends,
): Promise<T> {
  const { signal } = context;
  // A card that stopped answering looks like a hung program: say what we wait for.
  const hub = new ReaderHub(backends(), {
    onSlowCall: (waitingFor, ms) => context.stderr(`cardbench: still waiting for ${waitingFor} after ${ms / 1000} s (Ctrl-C stops).`),
  });
  try {
    const snapshot = await abandonOnAbort(hub.settled(), signal, 'the readers to report their cards');
    if (!snapshot.backends.some((b) => b.status.available)) {
      const reasons = snapshot.backends.map((b) => `  ${b.kind}: ${b.status.reason ?? 'not available.'}`);
      throw new CliError(['No reader backend is available here:', ...reasons].join('\n'), EXIT.unavailable);
    }
    return await work(hub);
  } catch (error) {
    if (signal.aborted) throw error;
    if (error instanceof UnknownReaderError) throw new CliError(unknownReaderText(error), EXIT.failure);
    if (error instanceof CardbenchError) throw new CliError(error.message, error.code === 'unavailable' ? EXIT.unavailable : EXIT.failure);
    throw error;
  } finally {
    const disposed = hub.dispose();
    if (signal.aborted) await Promise.race([disposed, new Promise((resolve) => setTimeout(resolve, DISPOSE_AFTER_STOP_MS).unref())]);
    else await disposed;
  }
}

/** One sentence, then the readers there are, one per line, then why some backends list none. */
export function unknownReaderText(error: UnknownReaderError): string {
  const lines = [error.message];
  if (error.candidates.length > 0) {
    lines.push(error.problem === 'ambiguous' ? 'It matches:' : 'The readers are:');
    for (const reader of error.candidates) lines.push(`  ${reader.name}`);
  }
  for (const backend of error.unavailable) lines.push(`(${backend.kind} lists no readers: ${backend.reason})`);
  return lines.join('\n');
}
