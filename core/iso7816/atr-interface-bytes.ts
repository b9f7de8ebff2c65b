/**
 * What each ATR interface byte means (ISO 7816-3 §8.3): it depends on its group. Group 1 is
 * global (TA1 Fi/Di, TB1 VPP, TC1 extra guard time), group 2 too (TA2 specific mode, TB2 VPP,
 * TC2 the T=0 waiting time); a later group is specific to the protocol the TD before it named:
 * the first after T=1 gives IFSC, BWI/CWI and the EDC, one after T=15 clock stop, classes and SPU.
 */
import { byteHex } from '../bytes/hex.js';
import { problem, type Problem } from '../dissect/node.js';
import type { Atr, AtrInterfaceByte, ClockStop, T1Parameters, VoltageClass } from './atr.js';

/** Fi and fmax (MHz) by TA1 high nibble (ISO 7816-3 table 7); undefined entries are RFU. */
export const FI_TABLE: readonly ({ fi: number; fMaxMHz: number } | undefined)[] = [
  { fi: 372, fMaxMHz: 4 },
  { fi: 372, fMaxMHz: 5 },
  { fi: 558, fMaxMHz: 6 },
  { fi: 744, fMaxMHz: 8 },
  { fi: 1116, fMaxMHz: 12 },
  { fi: 1488, fMaxMHz: 16 },
  { fi: 1860, fMaxMHz: 20 },
  undefined,
  undefined,
  { fi: 512, fMaxMHz: 5 },
  { fi: 768, fMaxMHz: 7.5 },
  { fi: 1024, fMaxMHz: 10 },
  { fi: 1536, fMaxMHz: 15 },
  { fi: 2048, fMaxMHz: 20 },
  undefined,
  undefined,
];

/** Di by TA1 low nibble (ISO 7816-3 table 8); undefined entries are RFU. */
export const DI_TABLE: readonly (number | undefined)[] = [
  undefined,
  1,
  2,
  4,
  8,
  16,
  32,
  64,
  12,
  20,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
];

const CLOCK_STOP: readonly ClockStop[] = ['not-supported', 'state-L', 'state-H', 'no-preference'];
const CLOCK_STOP_TEXT: Readonly<Record<ClockStop, string>> = {
  'not-supported': 'clock stop not supported',
  'state-L': 'clock stop in state L',
  'state-H': 'clock stop in state H',
  'no-preference': 'clock stop, no preference',
};

/** The parts of the Atr the interface bytes set. */
export type MutableAtr = Omit<Atr, 'historical' | 'tck' | 'node' | 'problems'>;

/** Sets entry.meaning (and fields of atr); returns a problem for invalid values. */
export function interpretInterfaceByte(
  entry: AtrInterfaceByte,
  group: number,
  groupProtocol: number | undefined,
  isFirstT1Group: boolean,
  atr: MutableAtr,
  setT1: (params: Partial<T1Parameters>) => void,
): Problem | undefined {
  const v = entry.value;
  if (entry.kind === 'D') {
    const next = (['A', 'B', 'C', 'D'] as const).filter((_, i) => (v >> 4) & (1 << i)).map((l) => `T${l}${group + 1}`);
    const t = v & 0x0f;
    entry.meaning = `${t === 15 ? 'global interface bytes follow (T=15)' : `protocol T=${t}`}; ${next.length ? `${next.join(', ')} present` : 'no more interface bytes'}`;
    if (t >= 2 && t <= 13) {
      return problem('reserved-protocol', `T=${t} is reserved for future use`, 'warning');
    }
    return undefined;
  }
  if (group === 1) {
    if (entry.kind === 'A') {
      const f = FI_TABLE[v >> 4];
      const d = DI_TABLE[v & 0x0f];
      entry.meaning = `Fi=${f ? f.fi : 'RFU'}, Di=${d ?? 'RFU'}${f ? `, fmax=${f.fMaxMHz} MHz` : ''}${f && d ? `, ${Math.round((f.fi / d) * 100) / 100} clocks per etu` : ''}`;
      if (f) {
        atr.fi = f.fi;
        atr.fMaxMHz = f.fMaxMHz;
      }
      if (d) atr.di = d;
      if (!f || !d) return problem('reserved-value', `TA1 ${byteHex(v)} uses a reserved Fi or Di`);
      return undefined;
    }
    if (entry.kind === 'B') {
      entry.meaning = v === 0 ? 'VPP not connected (deprecated byte)' : `VPP: PI1=${v & 0x1f}, II=${(v >> 5) & 0x03} (deprecated)`;
      return undefined;
    }
    atr.extraGuardTime = v;
    entry.meaning = v === 255 ? 'N=255: minimum guard time (12 etu T=0, 11 etu T=1)' : `extra guard time N=${v} etu`;
    return undefined;
  }
  if (group === 2) {
    if (entry.kind === 'A') {
      const canChange = (v & 0x80) === 0;
      const implicitParameters = (v & 0x10) !== 0;
      atr.specificMode = { protocol: v & 0x0f, canChange, implicitParameters };
      entry.meaning = `specific mode T=${v & 0x0f}, ${canChange ? 'can change to negotiable mode' : 'cannot change mode'}, ${implicitParameters ? 'implicit parameters' : 'parameters from TA1'}`;
      return undefined;
    }
    if (entry.kind === 'B') {
      entry.meaning = `PI2=${v} (VPP, deprecated)`;
      return undefined;
    }
    atr.waitingTimeInteger = v;
    entry.meaning = `WI=${v} (T=0 waiting time: ${960 * v} × Fi/f)`;
    if (v === 0) return problem('reserved-value', 'TC2 = 00 (WI must not be 0)');
    return undefined;
  }
  if (groupProtocol === 15) {
    if (entry.kind === 'A') {
      const clockStop = CLOCK_STOP[v >> 6]!;
      const classes: VoltageClass[] = [];
      if (v & 0x01) classes.push('A');
      if (v & 0x02) classes.push('B');
      if (v & 0x04) classes.push('C');
      atr.clockStop = clockStop;
      atr.voltageClasses = classes;
      entry.meaning = `${CLOCK_STOP_TEXT[clockStop]}; class ${classes.length ? classes.join(', ') : 'none indicated'} (A 5 V, B 3 V, C 1.8 V)`;
      return undefined;
    }
    if (entry.kind === 'B') {
      entry.meaning =
        v === 0 ? 'SPU: C6 not used' : `SPU: ${(v & 0x80) !== 0 ? 'proprietary' : 'standard'} use of C6 (${byteHex(v & 0x7f)})`;
      return undefined;
    }
    entry.meaning = 'global byte (reserved)';
    return undefined;
  }
  if (groupProtocol === 1 && isFirstT1Group) {
    if (entry.kind === 'A') {
      entry.meaning = `IFSC=${v}`;
      if (v === 0 || v === 0xff) return problem('reserved-value', `IFSC ${v} is invalid (1–254)`);
      setT1({ ifsc: v });
      return undefined;
    }
    if (entry.kind === 'B') {
      const bwi = v >> 4;
      const cwi = v & 0x0f;
      setT1({ bwi, cwi });
      entry.meaning = `BWI=${bwi}, CWI=${cwi} (CWT = ${11 + (1 << cwi)} etu)`;
      if (bwi > 9) return problem('reserved-value', `BWI ${bwi} is reserved (0–9)`);
      return undefined;
    }
    const edc = (v & 0x01) !== 0 ? 'crc' : 'lrc';
    setT1({ edc });
    entry.meaning = `error detection: ${edc.toUpperCase()}`;
    return undefined;
  }
  entry.meaning = groupProtocol !== undefined ? `specific to T=${groupProtocol}` : 'interface byte';
  return undefined;
}
