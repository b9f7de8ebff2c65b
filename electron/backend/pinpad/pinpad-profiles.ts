/**
 * Saved pinpad profiles: list, save (replacing the one of the same name on the same reader),
 * delete, export and import as JSON, through core/pinpad/profiles (one validator, which refuses
 * anything that looks like a PIN) and the profile store of the data directory.
 */
import type { PinProfilesExport } from '#core/ipc/channels/pinpad.js';
import { CardbenchError } from '#core/ipc/errors.js';
import {
  exportProfilesJson,
  mergeProfiles,
  parseProfilesJson,
  profilesForReader,
  removeProfile,
  upsertProfile,
  validateProfile,
  type PinProfile,
} from '#core/pinpad/profiles.js';
import type { JsonStore } from '../settings/json-store.js';
import type { PinpadProfilesDocument } from '../settings/pinpad-profile-store.js';

export const PROFILES_EXPORT_NAME = 'cardbench-pinpad-profiles.json';

export class PinpadProfiles {
  private store: JsonStore<PinpadProfilesDocument> | undefined;

  /** `open` is called on first use; it throws when there is no data directory to keep them in. */
  constructor(
    private readonly open: () => JsonStore<PinpadProfilesDocument>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  list(reader?: string): PinProfile[] {
    const all = this.document().profiles;
    return reader === undefined ? [...all] : profilesForReader(all, reader);
  }

  save(profile: unknown): PinProfile[] {
    const checked = validateProfile(profile, 'the profile');
    if (!checked.ok) throw new CardbenchError('invalid-arguments', checked.message);
    const saved = { ...checked.profile, savedAt: this.clock().toISOString() };
    return this.write(this.guarded(() => upsertProfile(this.document().profiles, saved)));
  }

  remove(name: string, reader: string): PinProfile[] {
    return this.write(removeProfile(this.document().profiles, name, reader));
  }

  export(reader?: string): PinProfilesExport {
    return { fileName: PROFILES_EXPORT_NAME, mimeType: 'application/json', text: exportProfilesJson(this.list(reader)) };
  }

  /** Refuses the whole file, saying which profile and why, when one is bad. */
  import(text: string, mode: 'merge' | 'replace' = 'merge'): { profiles: PinProfile[]; imported: number } {
    const parsed = parseProfilesJson(text);
    if (!parsed.ok) throw new CardbenchError('invalid-arguments', `The profile file was not imported: ${parsed.message}.`);
    const next = mode === 'replace' ? parsed.profiles : this.guarded(() => mergeProfiles(this.document().profiles, parsed.profiles));
    return { profiles: this.write(next), imported: parsed.profiles.length };
  }

  private guarded(change: () => PinProfile[]): PinProfile[] {
    try {
      return change();
    } catch (error) {
      if (error instanceof RangeError) throw new CardbenchError('operation-failed', error.message);
      throw error;
    }
  }

  private write(profiles: PinProfile[]): PinProfile[] {
    const store = this.opened();
    try {
      store.write({ ...store.value, profiles });
    } catch (error) {
      throw new CardbenchError(
        'operation-failed',
        `The profiles could not be saved to ${store.path}: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    return [...profiles];
  }

  private document(): PinpadProfilesDocument {
    return this.opened().value;
  }

  private opened(): JsonStore<PinpadProfilesDocument> {
    if (this.store) return this.store;
    try {
      this.store = this.open();
    } catch (error) {
      throw new CardbenchError(
        'unavailable',
        `Profiles cannot be kept: the data directory is not usable (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    return this.store;
  }
}
