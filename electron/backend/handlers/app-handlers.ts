/** Handlers of the app-wide channels (core/ipc/channels/app.ts): UI preferences and saving exports. */
import { writeFile } from 'node:fs/promises';
import type { appChannels } from '#core/ipc/channels/app.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { openAppSettings } from '../settings/app-settings.js';

export type AppHandlers = Pick<Handlers, keyof typeof appChannels>;

export interface SaveSuggestion {
  fileName: string;
  mimeType: string;
}

export interface AppHandlerOptions {
  /** Where settings.json lives (read at each call: the Readers domain writes the same file). */
  dataDir: () => string;
  /**
   * The desktop app's native save dialog: resolves to the path the user chose, or null when they
   * cancelled. Absent in browser mode, where the browser's download saves exports.
   */
  chooseSavePath?: (suggestion: SaveSuggestion) => Promise<string | null>;
}

export function createAppHandlers(options: AppHandlerOptions): AppHandlers {
  // Opened per call, like the Readers domain does, so neither overwrites what the other just wrote.
  const settings = () => openAppSettings(options.dataDir());
  return {
    'app.preferences': () => ({ theme: settings().value.theme }),
    'app.setPreferences': ({ theme }) => {
      try {
        settings().update((value) => ({ ...value, theme }));
      } catch (error) {
        throw new CardbenchError(
          'operation-failed',
          'The theme could not be saved; it applies until the app is closed.',
          error instanceof Error ? error.message : String(error),
        );
      }
      return { theme };
    },
    'app.saveFile': async ({ fileName, mimeType, text }) => {
      if (!options.chooseSavePath) {
        throw new CardbenchError('unavailable', 'There is no native save dialog in browser mode: the browser downloads the file instead.');
      }
      const path = await options.chooseSavePath({ fileName, mimeType });
      if (path === null) return { path: null };
      try {
        await writeFile(path, text, 'utf8');
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
        throw new CardbenchError('operation-failed', `Could not write ${path} (${reason}). Choose another folder and save again.`);
      }
      return { path };
    },
  };
}
