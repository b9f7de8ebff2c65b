/** App-wide preferences in `settings.json` of the data directory. */
import { join } from 'node:path';
import { JsonStore } from './json-store.js';

export interface AppSettings {
  version: 1;
  /** The built-in "Cardbench Virtual Pinpad" reader (on by default so a new user can try everything). */
  virtualReader: boolean;
}

export function openAppSettings(dataDir: string): JsonStore<AppSettings> {
  return new JsonStore<AppSettings>(
    join(dataDir, 'settings.json'),
    () => ({ version: 1, virtualReader: true }),
    (raw) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the top level is not an object');
      const { virtualReader } = raw as Record<string, unknown>;
      return { version: 1, virtualReader: typeof virtualReader === 'boolean' ? virtualReader : true };
    },
  );
}
