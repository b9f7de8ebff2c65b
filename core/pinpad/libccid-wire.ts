/**
 * What libccid actually puts on the wire for a PIN_VERIFY/MODIFY_STRUCTURE, reader by reader:
 * the generic conversion (core/ccid/secure-from-pcsc) plus the per-model rewrites of
 * src/commands.c SecurePINVerify/SecurePINModify (BOGUS_PINPAD_FIRMWARE): GemPC Pinpad and
 * Véga-Alpha get bNumberMessage 01 and bEntryValidationCondition 02, SPR532 and Cherry ST-2000
 * a modify with bNumberMessage 00 and three zero message indexes, Gemalto readers all three
 * indexes whatever bNumberMessage says, Dell keyboards bNumberMessage 00… The wizard shows these
 * next to the generic bytes so nobody is surprised by what reaches the reader.
 *
 * API: libccidSecureData(operation, parameters, reader) → { data?, rewrites, before, problems }.
 */
import { fromHex, intHex } from '../bytes/hex.js';
import { secureDataFromParameters } from '../ccid/secure-from-pcsc.js';
import type { Problem } from '../dissect/node.js';
import {
  ccidModifyMessageIndexCount,
  pinStructureFields,
  writePinStructure,
  type PinOperationName,
  type PinParameters,
} from '../pcsc/pin-format.js';
import { decodePinStructure, encodePinStructure } from '../pcsc/pin-structures.js';
import type { KnownReader } from './reader-models.js';

export interface WireRewrite {
  field: string;
  from: number;
  to: number;
  why: string;
  source: string;
}

export interface LibccidWire {
  /** Secure abData as libccid sends it; absent when libccid refuses the structure. */
  data?: Uint8Array;
  /** Every field libccid changed, with why. */
  rewrites: WireRewrite[];
  /** Commands libccid sends to the reader first (e.g. the SPR532 escape). */
  before: { description: string; escape: Uint8Array; source: string }[];
  problems: Problem[];
}

const COMMANDS_C = 'libccid src/commands.c';

function isGemaltoFirmware(reader: KnownReader | null): boolean {
  return reader !== null && (reader.vendorId === 0x08e6 || reader.model === 'vega-alpha');
}

/** Offset of bNumberMessage inside abData (bPINOperation included). */
function numberMessageOffset(operation: PinOperationName): number {
  let at = 1;
  for (const spec of pinStructureFields('ccid', operation, 3)) {
    if (spec.name === 'bNumberMessage') return at;
    at += spec.size;
  }
  return at;
}

export function libccidSecureData(operation: PinOperationName, parameters: PinParameters, reader: KnownReader | null): LibccidWire {
  // Whatever libccid refuses for every reader, it refuses here first.
  const generic = decodePinStructure(operation, encodePinStructure(operation, parameters));
  const converted = secureDataFromParameters(operation, generic.parameters ?? parameters);
  const refused = generic.problems.filter(
    (p) =>
      p.code === 'apdu-too-short' ||
      p.code === 'length-mismatch' ||
      p.code === 'truncated' ||
      (p.code === 'bad-number-message' && operation === 'modify'),
  );
  if (refused.length > 0) return { rewrites: [], before: [], problems: refused.map((p) => ({ ...p, severity: 'error' as const })) };

  const rewrites: WireRewrite[] = [];
  const p: PinParameters = { ...parameters, bTimerOut2: 0 };
  const set = (
    field: 'bNumberMessage' | 'bEntryValidationCondition' | 'bMsgIndex1' | 'bMsgIndex2' | 'bMsgIndex3' | 'wPINMaxExtraDigit',
    to: number,
    why: string,
    where: string,
  ) => {
    if (p[field] === to) return;
    rewrites.push({ field, from: p[field], to, why, source: `${COMMANDS_C} ${where}` });
    p[field] = to;
  };
  const where = operation === 'verify' ? 'SecurePINVerify' : 'SecurePINModify';
  if (p.bEntryValidationCondition === 0 || p.bEntryValidationCondition > 7) {
    set('bEntryValidationCondition', 0x02, 'invalid values crash some readers (Cherry XX44); 02 = validation key', where);
  }
  const model = reader?.model;
  const before: LibccidWire['before'] = [];
  let wireNumberMessage: number | undefined;

  if (operation === 'verify') {
    if (model === 'gempc-pinpad' || model === 'vega-alpha') {
      set('bNumberMessage', 0x01, 'the firmware rejects 00 (no message) and FF (default message)', where);
      set('bEntryValidationCondition', 0x02, 'the firmware rejects "max size reached" and "timeout" conditions', where);
    }
    if (model === 'dell-scrk' || model === 'dell-sk') set('bNumberMessage', 0x00, 'the keyboard accepts only 00 (no message)', where);
    if (model === 'dell-sk') {
      const v = p.wPINMaxExtraDigit;
      set('wPINMaxExtraDigit', ((v & 0xff) << 8) | (v >> 8), 'the keyboard reads the two bytes the other way round', where);
    }
    if (model === 'spr532' && p.bmPINBlockString === 0 && p.apdu.length === 4) {
      before.push({
        description: 'Escape 80 02 00: the SPR532 then appends the PIN to a case-1 APDU without padding',
        escape: fromHex('800200'),
        source: `${COMMANDS_C} SecurePINVerify`,
      });
    }
  } else {
    if (model === 'spr532' || model === 'cherry-st2000') {
      // The copy keeps all three indexes (bNumberMessage 3), then the wire byte is set to 0.
      set('bNumberMessage', 0x03, 'the reader has no display but requires all three bMsgIndex (sent as bNumberMessage 00)', where);
      set('bMsgIndex1', 0, 'all message indexes are sent as 00 to this reader', where);
      set('bMsgIndex2', 0, 'all message indexes are sent as 00 to this reader', where);
      set('bMsgIndex3', 0, 'all message indexes are sent as 00 to this reader', where);
      wireNumberMessage = 0x00;
    }
    if (model === 'cherry-xx44') set('bNumberMessage', 0x03, 'with fewer than 3 messages the card answers 6B 80', where);
    if (model === 'gempc-pinpad' || model === 'vega-alpha') {
      set('bEntryValidationCondition', 0x02, 'the firmware rejects "max size reached" and "timeout" conditions', where);
    }
    if (isGemaltoFirmware(reader) && ccidModifyMessageIndexCount(p.bNumberMessage) < 3) {
      // has_gemalto_modify_pin_bug: the layout of 3 messages, the real count on the wire.
      wireNumberMessage = p.bNumberMessage;
      rewrites.push({
        field: 'message indexes sent',
        from: ccidModifyMessageIndexCount(p.bNumberMessage),
        to: 3,
        why: 'Gemalto firmware expects bMsgIndex2 and bMsgIndex3 even when bNumberMessage does not ask for them',
        source: `${COMMANDS_C} SecurePINModify (has_gemalto_modify_pin_bug)`,
      });
      p.bNumberMessage = 0x03;
    }
    if (model === 'cherry-kc1000sc' && p.bNumberMessage === 0x00) set('bNumberMessage', 0xff, 'the reader rejects 00 in a modify', where);
  }

  const data = writePinStructure('ccid', operation, p);
  if (wireNumberMessage !== undefined) {
    data[numberMessageOffset(operation)] = wireNumberMessage;
    if (model === 'spr532' || model === 'cherry-st2000') {
      rewrites.push({
        field: 'bNumberMessage (on the wire)',
        from: 3,
        to: wireNumberMessage,
        why: 'sent as 00 after the three indexes were laid out',
        source: `${COMMANDS_C} SecurePINModify`,
      });
    }
  }
  return { data, rewrites, before, problems: converted.problems };
}

/** One line per rewrite, for text output. */
export function describeRewrite(r: WireRewrite): string {
  const hex = (v: number) => (v > 0xff ? intHex(v, 4) : intHex(v, 2));
  return `${r.field} ${hex(r.from)} → ${hex(r.to)}: ${r.why} (${r.source})`;
}
