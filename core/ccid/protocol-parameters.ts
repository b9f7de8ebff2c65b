/**
 * abProtocolDataStructure of PC_to_RDR_SetParameters and RDR_to_PC_Parameters: the T=0 (5 bytes)
 * and T=1 (7 bytes) parameter sets, with the ISO 7816-3 Fi/Di values spelled out.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { DI_TABLE, FI_TABLE } from '../iso7816/atr-interface-bytes.js';
import { hexLiteral } from '../bytes/hex.js';
import { FieldCursor } from './field-cursor.js';
import { CLOCK_STOP_NAMES, nameOr } from './value-tables.js';

export interface FindexDindex {
  raw: number;
  fIndex: number;
  dIndex: number;
  fi?: number;
  fmaxMHz?: number;
  di?: number;
}

export function decodeFindexDindex(raw: number): FindexDindex {
  const fIndex = raw >> 4;
  const dIndex = raw & 0x0f;
  const out: FindexDindex = { raw, fIndex, dIndex };
  // One home for the ISO 7816-3 tables: the ATR decoder's.
  const f = FI_TABLE[fIndex];
  const di = DI_TABLE[dIndex];
  if (f !== undefined) {
    out.fi = f.fi;
    out.fmaxMHz = f.fMaxMHz;
  }
  if (di !== undefined) out.di = di;
  return out;
}

export function describeFindexDindex(v: FindexDindex): string {
  const fi = v.fi !== undefined ? `Fi=${v.fi}` : `Fi RFU (${v.fIndex})`;
  const fmax = v.fmaxMHz !== undefined ? ` f(max)=${v.fmaxMHz} MHz` : '';
  const di = v.di !== undefined ? `Di=${v.di}` : `Di RFU (${v.dIndex})`;
  const ratio = v.fi !== undefined && v.di !== undefined ? `, ${Math.round((v.fi / v.di) * 100) / 100} clocks per ETU` : '';
  return `${hexLiteral(v.raw)} (${fi}${fmax}, ${di}${ratio})`;
}

export interface T0Parameters {
  protocol: 'T=0';
  bmFindexDindex: FindexDindex;
  /** bmTCCKST0 bit 1: inverse convention. */
  bmTCCKST0: number;
  inverseConvention: boolean;
  bGuardTimeT0: number;
  bWaitingIntegerT0: number;
  bClockStop: number;
}

export interface T1Parameters {
  protocol: 'T=1';
  bmFindexDindex: FindexDindex;
  /** bmTCCKST1: bit 0 checksum (0 LRC, 1 CRC), bit 1 convention, bits 7-2 = 000100b. */
  bmTCCKST1: number;
  checksum: 'LRC' | 'CRC';
  inverseConvention: boolean;
  bGuardTimeT1: number;
  bmWaitingIntegersT1: number;
  bwi: number;
  cwi: number;
  bClockStop: number;
  bIFSC: number;
  bNadValue: number;
}

export type ProtocolParameters = T0Parameters | T1Parameters;

export interface ProtocolParametersDecode {
  parameters?: ProtocolParameters;
  nodes: DissectNode[];
  problems: Problem[];
}

const T0_LENGTH = 5;
const T1_LENGTH = 7;

/** Decodes abProtocolDataStructure for bProtocolNum 0 or 1; other protocols are shown as bytes. */
export function decodeProtocolParameters(reader: ByteReader, protocolNum: number): ProtocolParametersDecode {
  const problems: Problem[] = [];
  const c = new FieldCursor(reader, 'ccid.protocol');
  if (protocolNum !== 0 && protocolNum !== 1) {
    if (reader.remaining > 0)
      c.bytes(
        'abProtocolDataStructure',
        reader.remaining,
        `abProtocolDataStructure: ${reader.remaining} bytes (protocol ${hexLiteral(protocolNum)})`,
      );
    return { nodes: c.nodes, problems };
  }
  const expected = protocolNum === 0 ? T0_LENGTH : T1_LENGTH;
  if (reader.remaining !== expected) {
    problems.push({
      code: reader.remaining < expected ? 'truncated' : 'length-mismatch',
      message: `T=${protocolNum} parameters are ${expected} bytes, ${reader.remaining} present`,
      severity: reader.remaining < expected ? 'error' : 'warning',
    });
  }
  const fd = c.u8('bmFindexDindex', (v) => describeFindexDindex(decodeFindexDindex(v)));
  const tcck = c.u8(protocolNum === 0 ? 'bmTCCKST0' : 'bmTCCKST1', (v) => describeTcck(v, protocolNum));
  const guard = c.u8(protocolNum === 0 ? 'bGuardTimeT0' : 'bGuardTimeT1', (v) => `${v} (extra guard time, N of TC1)`);
  const waiting =
    protocolNum === 0
      ? c.u8('bWaitingIntegerT0', (v) => `${v} (WI, TC2)`)
      : c.u8('bmWaitingIntegersT1', (v) => `${hexLiteral(v)} (BWI=${v >> 4}, CWI=${v & 0x0f})`);
  const clockStop = c.u8('bClockStop', (v) => `${hexLiteral(v)} (${nameOr(CLOCK_STOP_NAMES, v)})`);
  if (protocolNum === 0) {
    if (c.truncated) return { nodes: c.nodes, problems };
    const t0: T0Parameters = {
      protocol: 'T=0',
      bmFindexDindex: decodeFindexDindex(fd!),
      bmTCCKST0: tcck!,
      inverseConvention: (tcck! & 0x02) !== 0,
      bGuardTimeT0: guard!,
      bWaitingIntegerT0: waiting!,
      bClockStop: clockStop!,
    };
    if ((tcck! & ~0x02) !== 0) problems.push(rfuWarning('bmTCCKST0 has bits other than bit 1 set'));
    extraBytes(reader, c);
    return { parameters: t0, nodes: c.nodes, problems };
  }
  const ifsc = c.u8('bIFSC', (v) => `${v} (IFSC, bytes)`);
  const nad = c.u8('bNadValue', (v) => `${hexLiteral(v)} (NAD)`);
  if (c.truncated) return { nodes: c.nodes, problems };
  const t1: T1Parameters = {
    protocol: 'T=1',
    bmFindexDindex: decodeFindexDindex(fd!),
    bmTCCKST1: tcck!,
    checksum: (tcck! & 0x01) !== 0 ? 'CRC' : 'LRC',
    inverseConvention: (tcck! & 0x02) !== 0,
    bGuardTimeT1: guard!,
    bmWaitingIntegersT1: waiting!,
    bwi: waiting! >> 4,
    cwi: waiting! & 0x0f,
    bClockStop: clockStop!,
    bIFSC: ifsc!,
    bNadValue: nad!,
  };
  if ((tcck! & 0xfc) !== 0x10) problems.push(rfuWarning('bmTCCKST1 bits 7-2 should be 000100b'));
  extraBytes(reader, c);
  return { parameters: t1, nodes: c.nodes, problems };
}

function describeTcck(v: number, protocolNum: number): string {
  const convention = (v & 0x02) !== 0 ? 'inverse convention' : 'direct convention';
  if (protocolNum === 0) return `${hexLiteral(v)} (${convention})`;
  return `${hexLiteral(v)} (${(v & 0x01) !== 0 ? 'CRC' : 'LRC'} checksum, ${convention})`;
}

function rfuWarning(message: string): Problem {
  return { code: 'reserved-nonzero', message, severity: 'warning' };
}

function extraBytes(reader: ByteReader, c: FieldCursor): void {
  if (reader.remaining > 0) {
    const offset = reader.absolutePosition;
    const n = reader.remaining;
    reader.skip(n);
    c.push(field('ccid.protocol.extra', `${n} unexpected trailing byte(s)`, offset, n));
  }
}

/** Builds the 5- or 7-byte abProtocolDataStructure. */
export function encodeProtocolParameters(p: EncodableT0Parameters | EncodableT1Parameters): Uint8Array {
  if (p.protocol === 'T=0') {
    return Uint8Array.of(p.bmFindexDindex, p.bmTCCKST0 ?? 0, p.bGuardTimeT0 ?? 0, p.bWaitingIntegerT0 ?? 10, p.bClockStop ?? 0);
  }
  return Uint8Array.of(
    p.bmFindexDindex,
    p.bmTCCKST1 ?? 0x10,
    p.bGuardTimeT1 ?? 0,
    p.bmWaitingIntegersT1 ?? 0x45,
    p.bClockStop ?? 0,
    p.bIFSC ?? 32,
    p.bNadValue ?? 0,
  );
}

export interface EncodableT0Parameters {
  protocol: 'T=0';
  bmFindexDindex: number;
  bmTCCKST0?: number;
  bGuardTimeT0?: number;
  bWaitingIntegerT0?: number;
  bClockStop?: number;
}

export interface EncodableT1Parameters {
  protocol: 'T=1';
  bmFindexDindex: number;
  bmTCCKST1?: number;
  bGuardTimeT1?: number;
  bmWaitingIntegersT1?: number;
  bClockStop?: number;
  bIFSC?: number;
  bNadValue?: number;
}

/** Convenience for callers holding the bytes themselves. */
export function decodeProtocolParameterBytes(bytes: Uint8Array, protocolNum: number, offset = 0): ProtocolParametersDecode {
  return decodeProtocolParameters(new ByteReader(bytes, offset), protocolNum);
}
