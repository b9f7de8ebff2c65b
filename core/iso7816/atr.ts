/**
 * Answer-to-Reset (ISO 7816-3 §8.2). TS, T0, then interface-byte groups chained by TDi (each
 * TDi names the protocol its following group is about), K historical bytes, and TCK, which is
 * present unless T=0 is the only protocol and makes the XOR of T0..TCK zero.
 *
 * Which interface byte means what depends on its group:
 *   group 1 (global):  TA1 Fi/Di, TB1 VPP (deprecated), TC1 extra guard time N
 *   group 2 (global):  TA2 specific mode, TB2 VPP (deprecated), TC2 WI (T=0)
 *   group i ≥ 3:       after TD(i-1) with T=1, the first such group: TA IFSC, TB BWI/CWI, TC EDC;
 *                      after T=15: TA clock stop + class, TB SPU.
 */
import { byteHex, toHex } from '../bytes/hex.js';
import { field, problem, type DissectNode, type Problem } from '../dissect/node.js';
import { interpretInterfaceByte } from './atr-interface-bytes.js';
import { decodeHistoricalBytes, type HistoricalBytes } from './historical-bytes.js';

/** A real ATR is at most 33 bytes; a longer one is reported, and parsing stops at this many groups. */
export const MAX_ATR_LENGTH = 33;
const MAX_INTERFACE_GROUPS = 16;

export type InterfaceByteKind = 'A' | 'B' | 'C' | 'D';

export interface AtrInterfaceByte {
  /** 'TA1', 'TD2' … */
  name: string;
  kind: InterfaceByteKind;
  /** Group number i. */
  index: number;
  value: number;
  /** Absolute offset. */
  offset: number;
  /** For groups i ≥ 3: the protocol named by TD(i-1) that this byte is specific to. */
  protocol?: number;
  /** What it means. */
  meaning: string;
}

export type ClockStop = 'not-supported' | 'state-L' | 'state-H' | 'no-preference';
export type VoltageClass = 'A' | 'B' | 'C';

export interface T1Parameters {
  /** Information field size of the card, 1..254 (default 32). */
  ifsc: number;
  /** Block waiting time integer (default 4). */
  bwi: number;
  /** Character waiting time integer (default 13). */
  cwi: number;
  /** Error detection code (default LRC). */
  edc: 'lrc' | 'crc';
}

export interface Atr {
  bytes: Uint8Array;
  convention: 'direct' | 'inverse' | undefined;
  t0: number | undefined;
  /** K, the number of historical bytes announced by T0. */
  historicalLength: number;
  interfaceBytes: AtrInterfaceByte[];
  /** Protocols offered (TDi values except 15), in order; [0] when there is no TD1. */
  protocols: number[];
  /** TA1 values (defaults Fi 372, Di 1, fmax 5 MHz when TA1 is absent). */
  fi: number;
  di: number;
  fMaxMHz: number;
  /** TC1: extra guard time in etu (255 = minimum guard time). */
  extraGuardTime: number;
  /** TA2 present: the card runs in specific mode. */
  specificMode: { protocol: number; canChange: boolean; implicitParameters: boolean } | undefined;
  /** TC2 (T=0 waiting time integer), default 10. */
  waitingTimeInteger: number;
  /** T=1 parameters, when T=1 is offered (defaults where the ATR is silent). */
  t1: T1Parameters | undefined;
  /** T=15 global bytes. */
  clockStop: ClockStop | undefined;
  voltageClasses: VoltageClass[] | undefined;
  historical: HistoricalBytes;
  tck: { required: boolean; present: boolean; value: number | undefined; valid: boolean | undefined };
  node: DissectNode;
  problems: Problem[];
}

export function parseAtr(bytes: Uint8Array, base = 0): Atr {
  const problems: Problem[] = [];
  const children: DissectNode[] = [];
  const interfaceBytes: AtrInterfaceByte[] = [];
  const protocols: number[] = [];
  let convention: Atr['convention'];
  let pos = 0;

  const atr: Omit<Atr, 'historical' | 'tck' | 'node' | 'problems'> = {
    bytes,
    convention: undefined,
    t0: undefined,
    historicalLength: 0,
    interfaceBytes,
    protocols,
    fi: 372,
    di: 1,
    fMaxMHz: 5,
    extraGuardTime: 0,
    specificMode: undefined,
    waitingTimeInteger: 10,
    t1: undefined,
    clockStop: undefined,
    voltageClasses: undefined,
  };

  if (bytes.length === 0) {
    const p = problem('too-short', 'empty ATR');
    problems.push(p);
    const node = field('iso7816.atr', 'ATR (empty)', base, 0);
    node.problem = p;
    return {
      ...atr,
      historical: decodeHistoricalBytes(bytes, base),
      tck: { required: false, present: false, value: undefined, valid: undefined },
      node,
      problems,
    };
  }

  const ts = bytes[pos]!;
  const tsNode = field('iso7816.atr.ts', `TS: ${byteHex(ts)}`, base, 1, ts);
  if (ts === 0x3b) {
    convention = 'direct';
    tsNode.label += ' (direct convention)';
  } else if (ts === 0x3f) {
    convention = 'inverse';
    tsNode.label += ' (inverse convention; bytes shown as decoded by the reader)';
  } else {
    tsNode.problem = problem('bad-ts', `TS ${byteHex(ts)} is neither 3B (direct) nor 3F (inverse)`);
    problems.push(tsNode.problem);
  }
  children.push(tsNode);
  atr.convention = convention;
  pos++;

  let truncated = false;
  let y = 0;
  let k = 0;
  if (pos >= bytes.length) {
    truncated = true;
  } else {
    const t0 = bytes[pos]!;
    atr.t0 = t0;
    y = t0 >> 4;
    k = t0 & 0x0f;
    atr.historicalLength = k;
    children.push(
      field(
        'iso7816.atr.t0',
        `T0: ${byteHex(t0)} (Y1=${y.toString(2).padStart(4, '0')}: ${presentText(y, 1)}; K=${k} historical bytes)`,
        base + pos,
        1,
        t0,
        [field('iso7816.atr.t0.y1', `Y1: ${presentText(y, 1)}`, base + pos, 1, y), field('iso7816.atr.t0.k', `K: ${k}`, base + pos, 1, k)],
      ),
    );
    pos++;
  }

  // Interface byte groups.
  let group = 1;
  let groupProtocol: number | undefined; // T from TD(i-1), for groups ≥ 2
  let firstT1GroupSeen = false;
  let t1: T1Parameters | undefined;
  while (!truncated && y !== 0) {
    if (group > MAX_INTERFACE_GROUPS) {
      problems.push(problem('too-many-groups', `more than ${MAX_INTERFACE_GROUPS} interface byte groups`));
      break;
    }
    const isFirstT1Group = group >= 3 && groupProtocol === 1 && !firstT1GroupSeen;
    if (isFirstT1Group) {
      firstT1GroupSeen = true;
      t1 ??= { ifsc: 32, bwi: 4, cwi: 13, edc: 'lrc' };
    }
    let nextY = 0;
    for (const [bit, kind] of [
      [0x1, 'A'],
      [0x2, 'B'],
      [0x4, 'C'],
      [0x8, 'D'],
    ] as const) {
      if ((y & bit) === 0) continue;
      if (pos >= bytes.length) {
        truncated = true;
        break;
      }
      const value = bytes[pos]!;
      const entry: AtrInterfaceByte = {
        name: `T${kind}${group}`,
        kind,
        index: group,
        value,
        offset: base + pos,
        meaning: '',
      };
      if (group >= 3 && groupProtocol !== undefined) entry.protocol = groupProtocol;
      const byteProblem = interpretInterfaceByte(entry, group, groupProtocol, isFirstT1Group, atr, (params) => {
        t1 = { ...(t1 ?? { ifsc: 32, bwi: 4, cwi: 13, edc: 'lrc' }), ...params };
      });
      interfaceBytes.push(entry);
      const node = field(
        `iso7816.atr.t${kind.toLowerCase()}`,
        `${entry.name}: ${byteHex(value)} (${entry.meaning})`,
        entry.offset,
        1,
        value,
      );
      if (byteProblem) {
        node.problem = byteProblem;
        problems.push(byteProblem);
      }
      children.push(node);
      if (kind === 'D') {
        nextY = value >> 4;
        const protocol = value & 0x0f;
        if (protocol !== 15 && !protocols.includes(protocol)) protocols.push(protocol);
        groupProtocol = protocol;
      }
      pos++;
    }
    y = nextY;
    group++;
  }
  if (!interfaceBytes.some((b) => b.name === 'TD1')) protocols.push(0);
  if (t1 === undefined && protocols.includes(1)) t1 = { ifsc: 32, bwi: 4, cwi: 13, edc: 'lrc' };
  atr.t1 = t1;

  // TDi order check: ISO requires protocols offered in ascending order (except T=15 last).
  const offered = interfaceBytes.filter((b) => b.kind === 'D').map((b) => b.value & 0x0f);
  for (let i = 1; i < offered.length; i++) {
    if (offered[i]! < offered[i - 1]!) {
      problems.push(problem('protocol-order', 'TDi protocols are not in ascending order', 'warning'));
      break;
    }
  }

  // Historical bytes.
  const histStart = pos;
  const histAvailable = Math.max(0, Math.min(k, bytes.length - pos));
  if (!truncated && histAvailable < k) truncated = true;
  const historical = decodeHistoricalBytes(bytes.subarray(histStart, histStart + histAvailable), base + histStart);
  problems.push(...historical.problems);
  if (histAvailable > 0 || k > 0) children.push(historical.node);
  pos = histStart + histAvailable;

  // TCK.
  const required = offered.some((t) => t !== 0);
  let tck: Atr['tck'] = { required, present: false, value: undefined, valid: undefined };
  if (truncated) {
    problems.push(problem('truncated', `ATR ends early: ${bytes.length} byte(s), more announced by T0/TDi`));
  } else if (required) {
    if (pos >= bytes.length) {
      problems.push(problem('missing-tck', 'TCK is missing (a protocol other than T=0 is offered)'));
    } else {
      const value = bytes[pos]!;
      const valid = xorRange(bytes, 1, pos + 1) === 0;
      tck = { required, present: true, value, valid };
      const node = field(
        'iso7816.atr.tck',
        `TCK: ${byteHex(value)} (${valid ? 'correct' : `wrong: expected ${byteHex(xorRange(bytes, 1, pos))}`})`,
        base + pos,
        1,
        value,
      );
      if (!valid) {
        node.problem = problem('bad-tck', `TCK ${byteHex(value)} is wrong: XOR of T0..TCK must be 00`);
        problems.push(node.problem);
      }
      children.push(node);
      pos++;
    }
  } else if (pos < bytes.length && pos === bytes.length - 1 && xorRange(bytes, 1, bytes.length) === 0) {
    // Some T=0-only cards send a TCK anyway; it checks out, so show it as such.
    const value = bytes[pos]!;
    tck = { required, present: true, value, valid: true };
    const node = field('iso7816.atr.tck', `TCK: ${byteHex(value)} (not required for T=0 only, but correct)`, base + pos, 1, value);
    node.problem = problem('unexpected-tck', 'TCK present although only T=0 is offered', 'warning');
    problems.push(node.problem);
    children.push(node);
    pos++;
  }
  if (pos < bytes.length) {
    const rest = bytes.subarray(pos);
    const node = field('iso7816.atr.trailing', `Extra bytes: ${toHex(rest, ' ')}`, base + pos, rest.length, toHex(rest));
    node.problem = problem('trailing-bytes', `${rest.length} byte(s) after the ATR`, 'warning');
    problems.push(node.problem);
    children.push(node);
  }
  if (bytes.length > MAX_ATR_LENGTH) {
    problems.push(problem('too-long', `ATR of ${bytes.length} bytes: ISO 7816-3 allows at most ${MAX_ATR_LENGTH}`, 'warning'));
  }

  const summary = `T=${protocols.join(', T=')}${atr.t1 ? `, IFSC ${atr.t1.ifsc}` : ''}${atr.fi !== 372 || atr.di !== 1 ? `, Fi/Di ${atr.fi}/${atr.di}` : ''}`;
  const node = field('iso7816.atr', `ATR: ${toHex(bytes, ' ')} (${summary})`, base, bytes.length, toHex(bytes), children);
  const firstError = problems.find((p) => p.severity === 'error');
  if (firstError) node.problem = firstError;
  return { ...atr, historical, tck, node, problems };
}

function presentText(y: number, group: number): string {
  const names = (['A', 'B', 'C', 'D'] as const).filter((_, i) => (y & (1 << i)) !== 0).map((l) => `T${l}${group}`);
  return names.length ? `${names.join(', ')} present` : 'no interface bytes';
}

function xorRange(bytes: Uint8Array, start: number, end: number): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}
