/**
 * The pinpad wizard's parameter model: every PC/SC part 10 field a user may set, with its range
 * and a sentence of help, and the one parser for `FIELD=VALUE` settings (the CLI's `--set`, the
 * wizard's inputs, saved profiles). Values are decimal or 0x-hex; `apdu=HEX` sets the template;
 * `wPINMaxExtraDigit` also takes `MIN-MAX` in digits.
 *
 * API:
 * - PIN_PARAMETER_FIELDS: the table (name, operations, bytes, max, title, help).
 * - parseParameterSetting('bTimerOut=0x1E') → { ok, setting } | { ok: false, message }.
 * - parseParameterValue(name, value) → same, for a value already split from its name.
 * - applyParameterSettings(parameters, operation, settings) → new parameters, or throws
 *   PinParameterError naming the field and what to do.
 * - settingsFromRecord({ bTimerOut: 30, apdu: '0020…' }) → settings (profiles, IPC overrides).
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';
import { intHex, parseHex, toHex } from '../bytes/hex.js';
import type { PinNumericField, PinOperationName, PinParameters } from '../pcsc/pin-format.js';

export interface PinParameterField {
  name: PinNumericField;
  operations: readonly PinOperationName[];
  bytes: 1 | 2 | 3;
  max: number;
  title: string;
  help: string;
}

const BOTH: readonly PinOperationName[] = ['verify', 'modify'];
const VERIFY: readonly PinOperationName[] = ['verify'];
const MODIFY: readonly PinOperationName[] = ['modify'];

/** Every field of PIN_VERIFY_STRUCTURE / PIN_MODIFY_STRUCTURE (PC/SC part 10 §2.5.2, §2.5.3), in structure order. */
export const PIN_PARAMETER_FIELDS: readonly PinParameterField[] = [
  {
    name: 'bTimerOut',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'Timeout',
    help: 'Seconds to wait for the PIN; 0 lets the reader use its default.',
  },
  {
    name: 'bTimerOut2',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'Timeout after first key',
    help: 'Seconds after the first key press (PC/SC only: CCID and libccid drop it).',
  },
  {
    name: 'bmFormatString',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'PIN format',
    help: 'Units (bit 7), PIN position in the block (bits 6-3), right justification (bit 2), coding: 0 binary, 1 BCD, 2 ASCII (bits 1-0).',
  },
  {
    name: 'bmPINBlockString',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'PIN block',
    help: 'Bits of PIN length to insert (bits 7-4) and the PIN block size in bytes (bits 3-0); 00 means no block: the reader appends the PIN.',
  },
  {
    name: 'bmPINLengthFormat',
    operations: BOTH,
    bytes: 1,
    max: 0x1f,
    title: 'PIN length position',
    help: 'Units (bit 4) and position (bits 3-0) of the inserted PIN length inside the block.',
  },
  {
    name: 'bInsertionOffsetOld',
    operations: MODIFY,
    bytes: 1,
    max: 0xff,
    title: 'Current PIN offset',
    help: 'Where the current PIN block starts, in bytes after Lc.',
  },
  {
    name: 'bInsertionOffsetNew',
    operations: MODIFY,
    bytes: 1,
    max: 0xff,
    title: 'New PIN offset',
    help: 'Where the new PIN block starts, in bytes after Lc.',
  },
  {
    name: 'wPINMaxExtraDigit',
    operations: BOTH,
    bytes: 2,
    max: 0xffff,
    title: 'PIN length range',
    help: 'Minimum digits in the high byte, maximum in the low byte (0x040C = 4 to 12; MIN-MAX also accepted).',
  },
  {
    name: 'bConfirmPIN',
    operations: MODIFY,
    bytes: 1,
    max: 0x03,
    title: 'Confirmation',
    help: 'Bit 0: the new PIN is typed twice; bit 1: the current PIN is typed first.',
  },
  {
    name: 'bEntryValidationCondition',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'Entry ends on',
    help: 'Bit 0 maximum size reached, bit 1 validation key, bit 2 timeout; 0 or above 7 is invalid.',
  },
  {
    name: 'bNumberMessage',
    operations: BOTH,
    bytes: 1,
    max: 0xff,
    title: 'Messages',
    help: "How many messages the reader shows: 0 none, FF the reader's default; a verify shows 1, a modify up to 3.",
  },
  {
    name: 'wLangId',
    operations: BOTH,
    bytes: 2,
    max: 0xffff,
    title: 'Language',
    help: 'USB LANGID of the messages, e.g. 0x0409 English (United States).',
  },
  { name: 'bMsgIndex', operations: VERIFY, bytes: 1, max: 0xff, title: 'Message index', help: "Which of the reader's messages to show." },
  {
    name: 'bMsgIndex1',
    operations: MODIFY,
    bytes: 1,
    max: 0xff,
    title: 'Message 1',
    help: 'Message for the current PIN (or the new one when no current PIN is asked).',
  },
  { name: 'bMsgIndex2', operations: MODIFY, bytes: 1, max: 0xff, title: 'Message 2', help: 'Message for the new PIN.' },
  { name: 'bMsgIndex3', operations: MODIFY, bytes: 1, max: 0xff, title: 'Message 3', help: 'Message for the confirmation of the new PIN.' },
  {
    name: 'bTeoPrologue',
    operations: BOTH,
    bytes: 3,
    max: 0xffffff,
    title: 'T=1 prologue',
    help: 'NAD PCB LEN as 0xNNPPLL; only TPDU-level T=1 readers use it, and libccid fills it in itself.',
  },
];

const BY_LOWER_NAME = new Map<string, PinParameterField>(PIN_PARAMETER_FIELDS.map((f) => [f.name.toLowerCase(), f]));
// The CCID spec spells the timeouts bTimeOut / bTimeOut2.
BY_LOWER_NAME.set('btimeout', BY_LOWER_NAME.get('btimerout')!);
BY_LOWER_NAME.set('btimeout2', BY_LOWER_NAME.get('btimerout2')!);

export function parameterField(name: string): PinParameterField | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

export type PinParameterSetting = { name: PinNumericField; value: number } | { name: 'apdu'; value: Uint8Array };
export type SettingParse = { ok: true; setting: PinParameterSetting } | { ok: false; message: string };

/** Thrown when settings do not fit the operation or a value is out of range; the message says what to do. */
export class PinParameterError extends Error {
  override readonly name = 'PinParameterError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const FIELD_LIST = [...PIN_PARAMETER_FIELDS.map((f) => f.name), 'apdu'].join(', ');

/** Edit distance, to suggest the field a user probably meant (names are short: O(n·m) is fine). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

const bare = (name: string) => name.toLowerCase().replace(/^(bm|ul|b|w)/, '');

/** The field the user probably meant: the same name without its type prefix, or one or two typos away. */
function suggestion(name: string): string {
  const wanted = name.toLowerCase().slice(0, 40);
  let best: { name: string; d: number } | undefined;
  for (const f of PIN_PARAMETER_FIELDS) {
    const d = Math.min(distance(wanted, f.name.toLowerCase()), distance(bare(wanted), bare(f.name)));
    if (!best || d < best.d) best = { name: f.name, d };
  }
  return best && best.d <= 2 ? ` (did you mean ${best.name}?)` : '';
}

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

/** Parses one value for one field name (the name is matched case-insensitively). */
export function parseParameterValue(name: string, value: string): SettingParse {
  if (name.trim().toLowerCase() === 'apdu') {
    const hex = parseHex(value, MAX_EXTENDED_APDU_LENGTH);
    if (!hex.ok) return { ok: false, message: `apdu=HEX: ${hex.reason} (at character ${hex.position + 1})` };
    if (hex.bytes.length < 4) return { ok: false, message: `apdu needs at least CLA INS P1 P2 (4 bytes), got ${hex.bytes.length}` };
    return { ok: true, setting: { name: 'apdu', value: hex.bytes } };
  }
  const field = parameterField(name.trim());
  if (!field) return { ok: false, message: `unknown field "${name.trim().slice(0, 40)}"${suggestion(name.trim())}; fields: ${FIELD_LIST}` };
  const range = /^\s*(\d{1,3})\s*-\s*(\d{1,3})\s*$/.exec(value);
  if (field.name === 'wPINMaxExtraDigit' && range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min > 0xff || max > 0xff) return { ok: false, message: 'wPINMaxExtraDigit MIN-MAX takes digit counts of 0..255' };
    return { ok: true, setting: { name: field.name, value: (min << 8) | max } };
  }
  const number = parseNumber(value);
  if (number === undefined || number > field.max) {
    const shown = value.trim().slice(0, 20);
    const hexMax = intHex(field.max);
    return { ok: false, message: `${field.name} takes 0..${field.max} (0x${hexMax}), decimal or 0x-hex; got "${shown}"` };
  }
  return { ok: true, setting: { name: field.name, value: number } };
}

/** Parses `FIELD=VALUE` (the form of `cardbench pin --set`). */
export function parseParameterSetting(text: string): SettingParse {
  const at = text.indexOf('=');
  if (at <= 0) return { ok: false, message: `a setting is FIELD=VALUE (e.g. bTimerOut=0x1E or apdu=00200081), got "${text.slice(0, 40)}"` };
  return parseParameterValue(text.slice(0, at), text.slice(at + 1));
}

/** Settings from a record of name → number or text (IPC overrides, profiles); throws PinParameterError on the first bad one. */
export function settingsFromRecord(record: Readonly<Record<string, number | string>>): PinParameterSetting[] {
  return Object.entries(record).map(([name, value]) => {
    const parsed = parseParameterValue(name, typeof value === 'number' ? String(value) : value);
    if (!parsed.ok) throw new PinParameterError(parsed.message, name);
    return parsed.setting;
  });
}

/** The settings as a record again (what profiles store and the CLI's --json shows). */
export function settingsToRecord(settings: readonly PinParameterSetting[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const s of settings) out[s.name] = s.name === 'apdu' ? toHex(s.value) : s.value;
  return out;
}

/** Applies settings in order; a field the operation does not carry is an error, not silently ignored. */
export function applyParameterSettings(
  parameters: PinParameters,
  operation: PinOperationName,
  settings: readonly PinParameterSetting[],
): PinParameters {
  const out: PinParameters = { ...parameters, apdu: parameters.apdu.slice() };
  for (const s of settings) {
    if (s.name === 'apdu') {
      out.apdu = s.value.slice();
      continue;
    }
    const field = parameterField(s.name)!;
    if (!field.operations.includes(operation)) {
      const instead =
        s.name === 'bMsgIndex' ? ' (a modify uses bMsgIndex1..3)' : s.name.startsWith('bMsgIndex') ? ' (a verify uses bMsgIndex)' : '';
      throw new PinParameterError(`${s.name} belongs to a PIN ${field.operations[0]}, not a ${operation}${instead}`, s.name);
    }
    if (!Number.isInteger(s.value) || s.value < 0 || s.value > field.max) {
      throw new PinParameterError(`${s.name} takes 0..${field.max}, got ${s.value}`, s.name);
    }
    out[s.name] = s.value;
  }
  return out;
}
