/**
 * T=1 blocks (ISO 7816-3 §11.3): prologue NAD PCB LEN, information field INF (0–254 bytes),
 * epilogue EDC (LRC, 1 byte, or CRC, 2 bytes).
 *
 * PCB:  0 N(S) M 00000            I-block: information, N(S) send sequence, M = more (chaining)
 *       1 0 0 N(R) eeee           R-block: receive ready, N(R) = N(S) expected next, eeee = error
 *       1 1 r ttttt               S-block: supervisory, r = response, ttttt = RESYNCH/IFS/ABORT/WTX
 */
import { byteHex, intHex, toHex } from '../bytes/hex.js';
import { field, problem, type DissectNode, type Problem } from '../dissect/node.js';
import { summarizeValue } from '../tlv/ber-tlv.js';

export type T1Edc = 'lrc' | 'crc';
export type T1BlockKind = 'I' | 'R' | 'S';
export type T1RError = 'none' | 'edc-parity' | 'other' | 'reserved';
export type T1SType = 'RESYNCH' | 'IFS' | 'ABORT' | 'WTX' | 'VPP-ERROR' | 'reserved';

export const T1_MAX_INF = 254;

export interface T1Block {
  nad: number;
  /** Destination node address (NAD b7–b5). */
  dad: number;
  /** Source node address (NAD b3–b1). */
  sad: number;
  pcb: number;
  kind: T1BlockKind;
  /** I-block send sequence number. */
  ns?: 0 | 1;
  /** I-block M bit: more blocks of this APDU follow. */
  more?: boolean;
  /** R-block: the N(S) expected next. */
  nr?: 0 | 1;
  error?: T1RError;
  sType?: T1SType;
  /** S-block: response (true) or request. */
  response?: boolean;
  /** S(IFS)/S(WTX) parameter byte, when present. */
  sValue?: number;
  /** LEN as declared (undefined when the block is shorter than the prologue). */
  len: number | undefined;
  /** INF bytes present (a view). */
  inf: Uint8Array;
  edcKind: T1Edc;
  /** EDC received (undefined when missing). */
  edc: number | undefined;
  /** EDC computed over NAD..INF as received. */
  expectedEdc: number;
  edcValid: boolean;
  node: DissectNode;
  problems: Problem[];
}

/** XOR of all bytes (the T=1 LRC). */
export function t1Lrc(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

const CRC_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/**
 * The T=1 CRC: polynomial x^16 + x^12 + x^5 + 1 (ISO 3309 / 13239), processed LSB first,
 * preset FFFF, no final inversion, sent high byte first. This is the variant the free T=1 stacks
 * (OpenCT, libccid) and the cards they talk to agree on; ISO's text leaves room for others.
 */
export function t1Crc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc & 0xffff;
}

export function t1EdcLength(edc: T1Edc): number {
  return edc === 'crc' ? 2 : 1;
}

function computeEdc(bytes: Uint8Array, edc: T1Edc): number {
  return edc === 'crc' ? t1Crc(bytes) : t1Lrc(bytes);
}

const R_ERRORS: readonly T1RError[] = ['none', 'edc-parity', 'other'];
const R_ERROR_TEXT: Readonly<Record<T1RError, string>> = {
  none: 'error-free',
  'edc-parity': 'EDC or parity error',
  other: 'other error',
  reserved: 'reserved error code',
};
const S_TYPES: Readonly<Record<number, T1SType>> = { 0: 'RESYNCH', 1: 'IFS', 2: 'ABORT', 3: 'WTX', 4: 'VPP-ERROR' };

export interface DecodeT1Options {
  edc?: T1Edc;
  base?: number;
}

export function describePcb(pcb: number): Pick<T1Block, 'kind' | 'ns' | 'more' | 'nr' | 'error' | 'sType' | 'response'> {
  if ((pcb & 0x80) === 0) return { kind: 'I', ns: ((pcb >> 6) & 1) as 0 | 1, more: (pcb & 0x20) !== 0 };
  if ((pcb & 0x40) === 0) {
    return { kind: 'R', nr: ((pcb >> 4) & 1) as 0 | 1, error: R_ERRORS[pcb & 0x0f] ?? 'reserved' };
  }
  return { kind: 'S', response: (pcb & 0x20) !== 0, sType: S_TYPES[pcb & 0x1f] ?? 'reserved' };
}

/** One-line name of a block, e.g. 'I(0, M)', 'R(1)', 'S(WTX request)'. */
export function t1BlockSummary(block: Pick<T1Block, 'kind' | 'ns' | 'more' | 'nr' | 'error' | 'sType' | 'response' | 'sValue'>): string {
  if (block.kind === 'I') return `I(${block.ns}${block.more ? ', M' : ''})`;
  if (block.kind === 'R') return `R(${block.nr}${block.error && block.error !== 'none' ? `, ${R_ERROR_TEXT[block.error]}` : ''})`;
  const value = block.sValue !== undefined ? ` ${block.sValue}` : '';
  return `S(${block.sType} ${block.response ? 'response' : 'request'}${value})`;
}

export function decodeT1Block(bytes: Uint8Array, options: DecodeT1Options = {}): T1Block {
  const base = options.base ?? 0;
  const edcKind = options.edc ?? 'lrc';
  const edcLength = t1EdcLength(edcKind);
  const problems: Problem[] = [];
  const children: DissectNode[] = [];
  const nad = bytes[0] ?? 0;
  const pcb = bytes[1] ?? 0;
  const pcbInfo = describePcb(pcb);
  const block: T1Block = {
    nad,
    dad: (nad >> 4) & 0x07,
    sad: nad & 0x07,
    pcb,
    ...pcbInfo,
    len: undefined,
    inf: bytes.subarray(0, 0),
    edcKind,
    edc: undefined,
    expectedEdc: 0,
    edcValid: false,
    node: field('iso7816.t1', 'T=1 block', base, bytes.length),
    problems,
  };

  if (bytes.length >= 1) {
    const nadNode = field('iso7816.t1.nad', `NAD: ${byteHex(nad)} (DAD ${block.dad}, SAD ${block.sad})`, base, 1, nad);
    if ((nad & 0x88) !== 0) {
      nadNode.problem = problem('nad-vpp', 'NAD b8/b4 (VPP control) set: not used by current cards', 'warning');
      problems.push(nadNode.problem);
    }
    children.push(nadNode);
  }
  if (bytes.length >= 2) children.push(pcbNode(pcb, base + 1, block, problems));
  if (bytes.length < 3 + edcLength) {
    const p = problem('too-short', `a T=1 block needs at least ${3 + edcLength} bytes (NAD PCB LEN EDC), got ${bytes.length}`);
    problems.push(p);
    if (bytes.length >= 3) block.len = bytes[2]!;
  }
  if (bytes.length >= 3) {
    const len = bytes[2]!;
    block.len = len;
    const lenNode = field('iso7816.t1.len', `LEN: ${len}`, base + 2, 1, len);
    if (len === 0xff) {
      lenNode.problem = problem('reserved-len', 'LEN FF is reserved');
      problems.push(lenNode.problem);
    }
    children.push(lenNode);
    const infAvailable = Math.max(0, Math.min(len, bytes.length - 3));
    block.inf = bytes.subarray(3, 3 + infAvailable);
    const expectedTotal = 3 + len + edcLength;
    if (bytes.length > expectedTotal) {
      const p = problem(
        'len-mismatch',
        `LEN ${len} means a ${expectedTotal}-byte block (with ${edcKind.toUpperCase()}), got ${bytes.length} bytes`,
      );
      lenNode.problem ??= p;
      problems.push(p);
    }
    if (infAvailable > 0) children.push(infNode(block, base + 3));
    const edcAt = 3 + infAvailable;
    if (bytes.length >= edcAt + edcLength) {
      block.edc = edcLength === 2 ? (bytes[edcAt]! << 8) | bytes[edcAt + 1]! : bytes[edcAt]!;
      block.expectedEdc = computeEdc(bytes.subarray(0, edcAt), edcKind);
      block.edcValid = block.edc === block.expectedEdc;
      const digits = edcLength * 2;
      const edcNode = field(
        'iso7816.t1.edc',
        `${edcKind.toUpperCase()}: ${intHex(block.edc, digits)} (${
          block.edcValid ? 'correct' : `wrong, expected ${intHex(block.expectedEdc, digits)}`
        })`,
        base + edcAt,
        edcLength,
        block.edc,
      );
      if (!block.edcValid) {
        edcNode.problem = problem('bad-edc', `${edcKind.toUpperCase()} does not match the block`);
        problems.push(edcNode.problem);
      }
      children.push(edcNode);
      const extra = bytes.length - edcAt - edcLength;
      if (extra > 0) {
        children.push(
          field('iso7816.t1.trailing', `Extra bytes: ${toHex(bytes.subarray(edcAt + edcLength), ' ')}`, base + edcAt + edcLength, extra),
        );
      }
    } else if (bytes.length >= 3 + edcLength) {
      problems.push(problem('truncated', `LEN ${len} runs past the end of the block: ${bytes.length - 3} byte(s) after the prologue`));
    }
    checkStructure(block, problems);
  }
  const first = problems.find((p) => p.severity === 'error') ?? problems[0];
  block.node = field(
    'iso7816.t1',
    `T=1 ${t1BlockSummary(block)}${block.inf.length ? `, ${block.inf.length} byte(s)` : ''}`,
    base,
    bytes.length,
    undefined,
    children,
  );
  if (first) block.node.problem = first;
  return block;
}

function pcbNode(pcb: number, offset: number, block: T1Block, problems: Problem[]): DissectNode {
  const sub: DissectNode[] = [];
  if (block.kind === 'I') {
    sub.push(
      field('iso7816.t1.ns', `N(S): ${block.ns}`, offset, 1, block.ns),
      field('iso7816.t1.more', `M: ${block.more ? 'more blocks follow (chaining)' : 'last block'}`, offset, 1, block.more ? 1 : 0),
    );
    if ((pcb & 0x1f) !== 0) problems.push(problem('bad-pcb', `I-block PCB ${byteHex(pcb)} has reserved bits set`, 'warning'));
  } else if (block.kind === 'R') {
    sub.push(
      field('iso7816.t1.nr', `N(R): ${block.nr}`, offset, 1, block.nr),
      field('iso7816.t1.error', `Error: ${R_ERROR_TEXT[block.error!]}`, offset, 1, pcb & 0x0f),
    );
    if ((pcb & 0x20) !== 0) problems.push(problem('bad-pcb', `R-block PCB ${byteHex(pcb)} has b6 set`, 'warning'));
    if (block.error === 'reserved') problems.push(problem('bad-pcb', `R-block error code ${pcb & 0x0f} is reserved`, 'warning'));
  } else {
    sub.push(field('iso7816.t1.stype', `Type: ${block.sType} ${block.response ? 'response' : 'request'}`, offset, 1, pcb & 0x3f));
    if (block.sType === 'reserved') problems.push(problem('bad-pcb', `S-block type ${byteHex(pcb)} is reserved`, 'warning'));
  }
  return field('iso7816.t1.pcb', `PCB: ${byteHex(pcb)} (${t1BlockSummary(block)})`, offset, 1, pcb, sub);
}

function infNode(block: T1Block, offset: number): DissectNode {
  if (block.kind === 'S' && block.inf.length === 1) {
    const v = block.inf[0]!;
    if (block.sType === 'IFS') return field('iso7816.t1.ifs', `IFS: ${v} bytes`, offset, 1, v);
    if (block.sType === 'WTX') return field('iso7816.t1.wtx', `WTX multiplier: ${v} (BWT × ${v} for the next block)`, offset, 1, v);
  }
  const what = block.kind === 'I' ? 'APDU fragment' : 'INF';
  return field('iso7816.t1.inf', `INF (${what}): ${summarizeValue(block.inf)}`, offset, block.inf.length, toHex(block.inf));
}

/** S-block INF rules (IFS and WTX carry one byte; RESYNCH and ABORT none) and INF ≤ 254. */
function checkStructure(block: T1Block, problems: Problem[]): void {
  if (block.len !== undefined && block.len > T1_MAX_INF && block.len !== 0xff) {
    problems.push(problem('inf-too-long', `INF of ${block.len} bytes: T=1 allows at most ${T1_MAX_INF}`));
  }
  if (block.kind === 'R' && block.inf.length > 0) {
    problems.push(problem('unexpected-inf', 'R-blocks carry no INF', 'warning'));
  }
  if (block.kind !== 'S') return;
  if (block.sType === 'IFS' || block.sType === 'WTX') {
    if (block.len !== 1) {
      problems.push(problem('bad-s-inf', `S(${block.sType}) must carry exactly one INF byte, LEN is ${block.len}`));
    } else if (block.inf.length === 1) {
      const v = block.inf[0]!;
      block.sValue = v;
      if (block.sType === 'IFS' && (v === 0 || v === 0xff)) {
        problems.push(problem('bad-s-inf', `IFS ${v} is invalid (1–254)`));
      }
    }
  } else if ((block.sType === 'RESYNCH' || block.sType === 'ABORT') && block.len !== 0) {
    problems.push(problem('unexpected-inf', `S(${block.sType}) carries no INF, LEN is ${block.len}`, 'warning'));
  }
}

export type T1BlockSpec =
  | { kind: 'I'; ns: 0 | 1; more?: boolean; inf: Uint8Array; nad?: number }
  | { kind: 'R'; nr: 0 | 1; error?: 'none' | 'edc-parity' | 'other'; nad?: number }
  | { kind: 'S'; sType: 'RESYNCH' | 'IFS' | 'ABORT' | 'WTX'; response: boolean; value?: number; nad?: number };

const S_CODES: Readonly<Record<'RESYNCH' | 'IFS' | 'ABORT' | 'WTX', number>> = { RESYNCH: 0, IFS: 1, ABORT: 2, WTX: 3 };
const R_CODES: Readonly<Record<'none' | 'edc-parity' | 'other', number>> = { none: 0, 'edc-parity': 1, other: 2 };

/** Encodes one block with its EDC. Throws RangeError for an INF over 254 bytes or a missing S value. */
export function encodeT1Block(spec: T1BlockSpec, edc: T1Edc = 'lrc'): Uint8Array {
  const nad = spec.nad ?? 0;
  if (!Number.isInteger(nad) || nad < 0 || nad > 255) throw new RangeError(`NAD ${nad} is not a byte`);
  let pcb: number;
  let inf: Uint8Array;
  if (spec.kind === 'I') {
    pcb = (spec.ns << 6) | (spec.more ? 0x20 : 0);
    inf = spec.inf;
  } else if (spec.kind === 'R') {
    pcb = 0x80 | (spec.nr << 4) | R_CODES[spec.error ?? 'none'];
    inf = new Uint8Array(0);
  } else {
    pcb = 0xc0 | (spec.response ? 0x20 : 0) | S_CODES[spec.sType];
    if (spec.sType === 'IFS' || spec.sType === 'WTX') {
      const v = spec.value;
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`S(${spec.sType}) needs a one-byte value`);
      inf = Uint8Array.of(v);
    } else {
      inf = new Uint8Array(0);
    }
  }
  if (inf.length > T1_MAX_INF) throw new RangeError(`INF of ${inf.length} bytes: T=1 allows at most ${T1_MAX_INF}`);
  const edcLength = t1EdcLength(edc);
  const out = new Uint8Array(3 + inf.length + edcLength);
  out[0] = nad;
  out[1] = pcb;
  out[2] = inf.length;
  out.set(inf, 3);
  const check = computeEdc(out.subarray(0, 3 + inf.length), edc);
  if (edcLength === 2) {
    out[3 + inf.length] = check >> 8;
    out[4 + inf.length] = check & 0xff;
  } else {
    out[3 + inf.length] = check;
  }
  return out;
}

/**
 * Splits an APDU into chained I-blocks of at most `ifs` bytes, starting at N(S) = `firstNs`
 * (the sender's view; the caller still has to wait for R-blocks between them).
 */
export function chainApdu(apdu: Uint8Array, ifs: number, firstNs: 0 | 1, nad = 0): T1BlockSpec[] {
  const size = Math.max(1, Math.min(T1_MAX_INF, Math.floor(ifs)));
  const blocks: T1BlockSpec[] = [];
  let ns = firstNs;
  for (let at = 0; at < apdu.length || blocks.length === 0; at += size) {
    const inf = apdu.subarray(at, Math.min(apdu.length, at + size));
    blocks.push({ kind: 'I', ns, more: at + size < apdu.length, inf, nad });
    ns = (ns ^ 1) as 0 | 1;
  }
  return blocks;
}
