/**
 * Saved pinpad profiles (a working parameter set per reader, never a PIN) in
 * `pinpad-profiles.json` of the data directory: the same file format the wizard exports, so a
 * file that does not validate on load is set aside like any broken store file.
 */
import { join } from 'node:path';
import { parseProfilesJson, PROFILE_FORMAT, PROFILE_VERSION, type PinProfile } from '#core/pinpad/profiles.js';
import { JsonStore } from './json-store.js';

export interface PinpadProfilesDocument {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  profiles: PinProfile[];
}

export const PINPAD_PROFILES_FILE = 'pinpad-profiles.json';

export function openPinpadProfileStore(dataDir: string): JsonStore<PinpadProfilesDocument> {
  return new JsonStore<PinpadProfilesDocument>(
    join(dataDir, PINPAD_PROFILES_FILE),
    () => ({ format: PROFILE_FORMAT, version: PROFILE_VERSION, profiles: [] }),
    (raw) => {
      // One validator for the stored file and for imports: a hand-edited PIN is refused either way.
      const parsed = parseProfilesJson(JSON.stringify(raw));
      if (!parsed.ok) throw new Error(parsed.message);
      return { format: PROFILE_FORMAT, version: PROFILE_VERSION, profiles: parsed.profiles };
    },
  );
}
