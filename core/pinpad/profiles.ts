/**
 * Pinpad profiles: a named parameter set that worked on a reader (preset, operation, the user's
 * settings, whether to SELECT first), saved per reader and exported/imported as JSON. A profile
 * never holds a PIN: there is no field for one, unknown fields are refused, and a template whose
 * PIN block already holds digits is refused too. Validation is plain code (zod stays in core/ipc)
 * with messages that say which profile, which field, and what to do; nothing from a refused file
 * is echoed back.
 *
 * File format (version 1):
 *   { "format": "cardbench-pinpad-profiles", "version": 1,
 *     "profiles": [{ "name", "reader", "preset", "operation", "settings": { "bTimerOut": 30, "apdu": "…" },
 *                    "select": true, "note"?: "…", "savedAt"?: "ISO date" }] }
 *
 * API: validateProfile(value) / parseProfilesJson(text) → { ok, … } | { ok: false, message };
 * exportProfilesJson(profiles) → text; upsertProfile / removeProfile / profilesForReader.
 */
import { decodeFormatString } from '../pcsc/pin-format.js';
import { PinParameterError, settingsFromRecord } from './parameters.js';
import { buildPinRequest } from './pin-request.js';
import { findPreset, PIN_PRESET_NAMES } from './presets.js';

export const PROFILE_FORMAT = 'cardbench-pinpad-profiles';
export const PROFILE_VERSION = 1;
export const MAX_PROFILES = 500;
export const MAX_PROFILE_FILE_BYTES = 1_000_000;

export interface PinProfile {
  name: string;
  /** The reader it was made for: its name as listed (or a reader id). */
  reader: string;
  preset: string;
  operation: 'verify' | 'modify';
  /** FIELD → value, as `--set` takes them; apdu as hex. */
  settings: Record<string, number | string>;
  /** Send the preset's SELECT first. */
  select: boolean;
  note?: string;
  /** ISO 8601, set by whoever saves it. */
  savedAt?: string;
}

export interface PinProfileFile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  profiles: PinProfile[];
}

export type ProfileCheck = { ok: true; profile: PinProfile } | { ok: false; message: string };

const KEYS = new Set(['name', 'reader', 'preset', 'operation', 'settings', 'select', 'note', 'savedAt']);
const PIN_KEYS = /^(pin|newpin|currentpin|oldpin|puk|password|passcode|digits)$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, max: number, where: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ProfileError(`${where}: "${field}" must be a non-empty string`);
  if (value.length > max) throw new ProfileError(`${where}: "${field}" is longer than ${max} characters`);
  return value;
}

class ProfileError extends Error {}

/**
 * True when the template already holds at least 4 digits where a PIN goes (ASCII 30-39 or BCD
 * nibbles 0-9 in the PIN area), or 4 ASCII digits in data the reader appends its PIN after (a
 * template with no PIN block, whose "data" is then most likely a PIN someone pasted in).
 */
function templateHoldsDigits(roles: readonly string[], bytes: Uint8Array, bmFormatString: number): boolean {
  const coding = decodeFormatString(bmFormatString).coding;
  let digits = 0;
  let asciiInData = 0;
  bytes.forEach((b, i) => {
    if (roles[i] === 'data') asciiInData += b >= 0x30 && b <= 0x39 ? 1 : 0;
    if (roles[i] !== 'pin' && roles[i] !== 'new-pin') return;
    if (coding === 'ascii') digits += b >= 0x30 && b <= 0x39 ? 1 : 0;
    else if (coding === 'bcd') digits += (b >> 4 <= 9 ? 1 : 0) + ((b & 0x0f) <= 9 ? 1 : 0);
  });
  return digits >= 4 || asciiInData >= 4;
}

/** Checks one profile; `where` names it in messages ("profile 3"). */
export function validateProfile(value: unknown, where = 'profile'): ProfileCheck {
  try {
    if (!isRecord(value)) throw new ProfileError(`${where} is not an object`);
    for (const key of Object.keys(value)) {
      if (PIN_KEYS.test(key)) throw new ProfileError(`${where}: a profile never holds a PIN; remove the "${key.slice(0, 20)}" field`);
      if (!KEYS.has(key)) throw new ProfileError(`${where}: unknown field "${key.slice(0, 40)}" (fields: ${[...KEYS].join(', ')})`);
    }
    const name = text(value.name, 'name', 120, where);
    const reader = text(value.reader, 'reader', 400, where);
    const presetName = text(value.preset, 'preset', 60, where);
    const preset = findPreset(presetName);
    if (!preset) throw new ProfileError(`${where}: unknown preset "${presetName.slice(0, 40)}" (presets: ${PIN_PRESET_NAMES.join(', ')})`);
    if (value.operation !== 'verify' && value.operation !== 'modify')
      throw new ProfileError(`${where}: "operation" must be "verify" or "modify"`);
    if (typeof value.select !== 'boolean') throw new ProfileError(`${where}: "select" must be true or false`);
    if (!isRecord(value.settings)) throw new ProfileError(`${where}: "settings" must be an object of FIELD: value`);
    const settings: Record<string, number | string> = {};
    for (const [key, v] of Object.entries(value.settings)) {
      if (typeof v !== 'number' && typeof v !== 'string')
        throw new ProfileError(`${where}: setting "${key.slice(0, 40)}" must be a number or a string`);
      settings[key] = v;
    }
    const profile: PinProfile = { name, reader, preset: preset.name, operation: value.operation, settings, select: value.select };
    if (value.note !== undefined) {
      if (typeof value.note !== 'string' || value.note.length > 1000)
        throw new ProfileError(`${where}: "note" must be a string of at most 1000 characters`);
      profile.note = value.note;
    }
    if (value.savedAt !== undefined) {
      if (typeof value.savedAt !== 'string' || Number.isNaN(Date.parse(value.savedAt)))
        throw new ProfileError(`${where}: "savedAt" must be an ISO date`);
      profile.savedAt = value.savedAt;
    }
    let request;
    try {
      request = buildPinRequest({ preset: preset.name, operation: profile.operation, settings: settingsFromRecord(settings) });
    } catch (error) {
      if (error instanceof PinParameterError) throw new ProfileError(`${where}: ${error.message}`);
      throw error;
    }
    if (templateHoldsDigits(request.template.roles, request.template.bytes, request.parameters.bmFormatString)) {
      throw new ProfileError(
        `${where}: the APDU template holds digits where the PIN goes; a profile never stores a PIN — use filler bytes (FF)`,
      );
    }
    return { ok: true, profile };
  } catch (error) {
    if (error instanceof ProfileError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Parses an exported file; refuses the whole file at the first bad profile, saying which and why. */
export function parseProfilesJson(textValue: string): { ok: true; profiles: PinProfile[] } | { ok: false; message: string } {
  if (textValue.length > MAX_PROFILE_FILE_BYTES)
    return { ok: false, message: `the file is larger than ${MAX_PROFILE_FILE_BYTES} bytes; a profile file is a few kilobytes` };
  let data: unknown;
  try {
    data = JSON.parse(textValue);
  } catch (error) {
    // V8's message may quote the input: give the position only.
    const at = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    return {
      ok: false,
      message: `not valid JSON${at ? ` (at character ${at[1]})` : ''}: export profiles from Cardbench and import that file`,
    };
  }
  if (!isRecord(data) || data.format !== PROFILE_FORMAT) {
    return { ok: false, message: `not a Cardbench pinpad profile file ("format" must be "${PROFILE_FORMAT}")` };
  }
  if (typeof data.version !== 'number' || !Number.isInteger(data.version)) return { ok: false, message: '"version" must be an integer' };
  if (data.version > PROFILE_VERSION) {
    return {
      ok: false,
      message: `the file is version ${data.version}, made by a newer Cardbench; this one reads version ${PROFILE_VERSION}`,
    };
  }
  if (data.version < 1) return { ok: false, message: `unknown version ${data.version}` };
  if (!Array.isArray(data.profiles)) return { ok: false, message: '"profiles" must be a list' };
  if (data.profiles.length > MAX_PROFILES)
    return { ok: false, message: `the file holds ${data.profiles.length} profiles; at most ${MAX_PROFILES} are accepted` };
  const profiles: PinProfile[] = [];
  for (let i = 0; i < data.profiles.length; i++) {
    const checked = validateProfile(data.profiles[i], `profile ${i + 1}`);
    if (!checked.ok) return checked;
    profiles.push(checked.profile);
  }
  return { ok: true, profiles };
}

export function exportProfilesJson(profiles: readonly PinProfile[]): string {
  const file: PinProfileFile = { format: PROFILE_FORMAT, version: PROFILE_VERSION, profiles: [...profiles] };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const sameKey = (a: PinProfile, name: string, reader: string) => a.name === name && a.reader === reader;

/** Adds a profile or replaces the one with the same name on the same reader. */
export function upsertProfile(profiles: readonly PinProfile[], profile: PinProfile): PinProfile[] {
  const rest = profiles.filter((p) => !sameKey(p, profile.name, profile.reader));
  if (rest.length >= MAX_PROFILES) throw new RangeError(`at most ${MAX_PROFILES} profiles are kept; delete some first`);
  return [...rest, profile];
}

export function removeProfile(profiles: readonly PinProfile[], name: string, reader: string): PinProfile[] {
  return profiles.filter((p) => !sameKey(p, name, reader));
}

export function profilesForReader(profiles: readonly PinProfile[], reader: string): PinProfile[] {
  return profiles.filter((p) => p.reader === reader);
}

/** Merges imported profiles into saved ones (imported win on the same name and reader). */
export function mergeProfiles(saved: readonly PinProfile[], imported: readonly PinProfile[]): PinProfile[] {
  let out = [...saved];
  for (const p of imported) out = upsertProfile(out, p);
  return out;
}
