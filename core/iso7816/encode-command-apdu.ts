/**
 * Builds a command APDU from its fields (ISO 7816-3 §12.1.3, ISO 7816-4 §5.1): the smallest
 * encoding that fits, or the short/extended one asked for, and precise reasons per field when the
 * fields cannot make an APDU. Parsing wire bytes is command-apdu.ts's.
 */
import { byteHex } from '../bytes/hex.js';
import { MAX_EXTENDED_NC, MAX_EXTENDED_NE, MAX_SHORT_NC, MAX_SHORT_NE } from './apdu-limits.js';
import type { ApduCase } from './command-apdu.js';
import { isInvalidIns } from './ins.js';

export interface CommandApduSpec {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Ne, the number of bytes expected: 1..256 (short) or 1..65536 (extended). Omit for none. */
  le?: number;
  /** Force short (false) or extended (true) length fields; undefined picks the smallest that fits. */
  extended?: boolean;
}

export interface ApduEncodeIssue {
  field: 'cla' | 'ins' | 'p1' | 'p2' | 'data' | 'le' | 'extended';
  message: string;
}

export type EncodeCommandResult =
  | { ok: true; bytes: Uint8Array; apduCase: ApduCase; extended: boolean; warnings: ApduEncodeIssue[] }
  | { ok: false; errors: ApduEncodeIssue[]; warnings: ApduEncodeIssue[] };

/** Builds the bytes of a command APDU, or says precisely which field is wrong and why. */
export function encodeCommandApdu(spec: CommandApduSpec): EncodeCommandResult {
  const errors: ApduEncodeIssue[] = [];
  const warnings: ApduEncodeIssue[] = [];
  for (const key of ['cla', 'ins', 'p1', 'p2'] as const) {
    const value = spec[key];
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      errors.push({ field: key, message: `${key.toUpperCase()} must be one byte (0–255), got ${value}` });
    }
  }
  if (errors.length === 0) {
    if (isInvalidIns(spec.ins)) {
      warnings.push({ field: 'ins', message: `INS ${byteHex(spec.ins)} is invalid: T=0 reads 6X/9X as procedure bytes` });
    }
    if (spec.cla === 0xff) {
      warnings.push({ field: 'cla', message: 'CLA FF is reserved: only PC/SC readers accept it, as pseudo-APDUs' });
    }
  }
  const data = spec.data ?? new Uint8Array(0);
  const nc = data.length;
  const ne = spec.le;
  if (nc > MAX_EXTENDED_NC) {
    errors.push({ field: 'data', message: `data is ${nc} bytes: even an extended APDU carries at most ${MAX_EXTENDED_NC}` });
  }
  if (ne !== undefined) {
    if (!Number.isInteger(ne) || ne < 0 || ne > MAX_EXTENDED_NE) {
      errors.push({ field: 'le', message: `Le must be 1–256 (short) or 1–65536 (extended), got ${ne}` });
    } else if (ne === 0) {
      errors.push({
        field: 'le',
        message: 'Le 0 means no response data: leave Le out (to ask for the most, use 256, or 65536 extended)',
      });
    }
  }
  const needsExtended = nc > MAX_SHORT_NC || (ne !== undefined && ne > MAX_SHORT_NE);
  if (spec.extended === false && needsExtended) {
    if (nc > MAX_SHORT_NC) {
      errors.push({
        field: 'data',
        message: `data is ${nc} bytes: a short APDU carries at most ${MAX_SHORT_NC} (use an extended APDU or command chaining)`,
      });
    }
    if (ne !== undefined && ne > MAX_SHORT_NE) {
      errors.push({
        field: 'le',
        message: `Le ${ne} needs an extended APDU: a short Le is at most ${MAX_SHORT_NE} (written 00)`,
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings };

  const hasData = nc > 0;
  const hasLe = ne !== undefined;
  const extended = (spec.extended ?? needsExtended) && (hasData || hasLe);
  const apduCase: ApduCase = !hasData
    ? hasLe
      ? extended
        ? '2E'
        : '2S'
      : '1'
    : hasLe
      ? extended
        ? '4E'
        : '4S'
      : extended
        ? '3E'
        : '3S';

  const out: number[] = [spec.cla, spec.ins, spec.p1, spec.p2];
  if (extended) {
    out.push(0x00);
    if (hasData) out.push(nc >> 8, nc & 0xff);
  } else if (hasData) {
    out.push(nc);
  }
  const header = out.length;
  const leBytes: number[] = [];
  if (hasLe) {
    if (extended) {
      const v = ne === MAX_EXTENDED_NE ? 0 : ne;
      leBytes.push(v >> 8, v & 0xff);
    } else {
      leBytes.push(ne === MAX_SHORT_NE ? 0 : ne);
    }
  }
  const bytes = new Uint8Array(header + nc + leBytes.length);
  bytes.set(out, 0);
  bytes.set(data, header);
  bytes.set(leBytes, header + nc);
  return { ok: true, bytes, apduCase, extended, warnings };
}
