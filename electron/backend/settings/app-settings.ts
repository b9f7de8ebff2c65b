/** App-wide preferences in `settings.json` of the data directory. */
import { join } from 'node:path';
import { THEMES, type Theme } from '#core/ipc/channels/app.js';
import { JsonStore } from './json-store.js';

export interface AppSettings {
  version: 1;
  /** The built-in "Cardbench Virtual Pinpad" reader (on by default so a new user can try everything). */
  virtualReader: boolean;
  /** Light, dark, or what the system says; one choice for the desktop app and browser mode. */
  theme: Theme;
}

export function openAppSettings(dataDir: string): JsonStore<AppSettings> {
  return new JsonStore<AppSettings>(
    join(dataDir, 'settings.json'),
    () => ({ version: 1, virtualReader: true, theme: 'system' }),
    (raw) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the top level is not an object');
      const { virtualReader, theme } = raw as Record<string, unknown>;
      return {
        version: 1,
        virtualReader: typeof virtualReader === 'boolean' ? virtualReader : true,
        // An unknown theme (a newer version's, a typo) falls back to the system's, not to an error.
        theme: (THEMES as readonly unknown[]).includes(theme) ? (theme as Theme) : 'system',
      };
    },
  );
}
