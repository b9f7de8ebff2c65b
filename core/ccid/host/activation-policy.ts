/**
 * How the driver activates a card, decided from the reader's class descriptor and the card's ATR
 * alone (no I/O, so every combination is testable without a reader): the voltages to try and in
 * which order, the protocol, the card's timing, whether SetParameters is ours to send and with
 * what, and the IFSD to offer at T=1 TPDU level.
 */
import type { Atr } from '#core/iso7816/atr.js';
import type { CcidClassDescriptor } from '../class-descriptor.js';
import { encodeProtocolParameters } from '../protocol-parameters.js';
import { CcidError } from './ccid-error.js';
import type { CardTiming } from './ccid-timeouts.js';

export type CardProtocolName = 'T=0' | 'T=1';

/** What the reader does by itself (dwFeatures, CCID 1.1 Table 5.1-1), by the names class-descriptor gives the bits. */
function automatic(descriptor: CcidClassDescriptor, ...names: string[]): boolean {
  return descriptor.features.flags.some((flag) => names.includes(flag.name));
}

/** bVoltageSupport bit → bPowerSelect, lowest class first (ISO 7816-3 class C, B, A). */
const VOLTAGE_CLASSES: readonly (readonly [bit: number, powerSelect: number])[] = [
  [0x04, 3],
  [0x02, 2],
  [0x01, 1],
];

/** The bPowerSelect values to try in order; only 0 (automatic) when the reader picks the voltage itself. */
export function voltageOrder(descriptor: CcidClassDescriptor): number[] {
  if (automatic(descriptor, 'auto-voltage')) return [0];
  const voltages = VOLTAGE_CLASSES.filter(([bit]) => (descriptor.bVoltageSupport & bit) !== 0).map(([, select]) => select);
  return voltages.length > 0 ? voltages : [0];
}

/**
 * The protocol to use: the card's specific mode if it is in one, else the preferred protocol when
 * the card offers it and the reader supports it, else the first the card offers that the reader
 * supports. Throws when they have none in common.
 */
export function chooseProtocol(descriptor: CcidClassDescriptor, atr: Atr, preferred?: CardProtocolName): CardProtocolName {
  const readerSupports = (p: number) => (descriptor.dwProtocols & (1 << p)) !== 0;
  const offered = atr.specificMode ? [atr.specificMode.protocol] : atr.protocols;
  const wanted = preferred === 'T=1' ? 1 : preferred === 'T=0' ? 0 : undefined;
  const pick =
    wanted !== undefined && offered.includes(wanted) && readerSupports(wanted)
      ? wanted
      : offered.find((p) => (p === 0 || p === 1) && readerSupports(p));
  if (pick === undefined) {
    throw new CcidError(
      'unsupported',
      `The card offers ${offered.map((p) => `T=${p}`).join(', ') || 'no protocol'}; the reader supports ${descriptor.protocols.join(', ') || 'none'}.`,
      'Use another reader for this card.',
    );
  }
  return pick === 1 ? 'T=1' : 'T=0';
}

/** TA1's Fi/Di are in force when the card is in specific mode or the reader negotiates them (PPS); else 372/1. */
export function usesTa1(descriptor: CcidClassDescriptor, atr: Atr): boolean {
  return atr.specificMode !== undefined || automatic(descriptor, 'auto-parameters-negotiation', 'auto-pps');
}

export function cardTiming(descriptor: CcidClassDescriptor, atr: Atr, protocol: CardProtocolName): CardTiming {
  const ta1 = usesTa1(descriptor, atr);
  return {
    protocol,
    fi: ta1 ? atr.fi : 372,
    di: ta1 ? atr.di : 1,
    bwi: atr.t1?.bwi ?? 4,
    wi: atr.waitingTimeInteger,
  };
}

/** SetParameters is ours to send unless the reader configures itself from the ATR. */
export function needsSetParameters(descriptor: CcidClassDescriptor): boolean {
  return !automatic(descriptor, 'auto-parameters-from-atr');
}

/** The PC_to_RDR_SetParameters content for this card: bProtocolNum and abProtocolDataStructure, from the ATR. */
export function protocolParametersFor(
  descriptor: CcidClassDescriptor,
  atr: Atr,
  protocol: CardProtocolName,
): { protocolNum: number; protocolData: Uint8Array } {
  const ta1 = atr.interfaceBytes.find((b) => b.name === 'TA1')?.value;
  const bmFindexDindex = usesTa1(descriptor, atr) && ta1 !== undefined ? ta1 : 0x11;
  const inverse = atr.convention === 'inverse' ? 0x02 : 0x00;
  const guard = atr.extraGuardTime;
  if (protocol === 'T=1') {
    return {
      protocolNum: 1,
      protocolData: encodeProtocolParameters({
        protocol: 'T=1',
        bmFindexDindex,
        bmTCCKST1: 0x10 | inverse | (atr.t1?.edc === 'crc' ? 0x01 : 0x00),
        bGuardTimeT1: guard,
        bmWaitingIntegersT1: ((atr.t1?.bwi ?? 4) << 4) | (atr.t1?.cwi ?? 13),
        bIFSC: atr.t1?.ifsc ?? 32,
      }),
    };
  }
  return {
    protocolNum: 0,
    protocolData: encodeProtocolParameters({
      protocol: 'T=0',
      bmFindexDindex,
      bmTCCKST0: inverse,
      bGuardTimeT0: guard,
      bWaitingIntegerT0: atr.waitingTimeInteger,
    }),
  };
}

/** T=1 at TPDU level: the IFSD to offer the card (the reader's dwMaxIFSD, 1..254), or undefined when the reader exchanges it itself. */
export function ifsdToOffer(descriptor: CcidClassDescriptor): number | undefined {
  if (automatic(descriptor, 'auto-ifsd')) return undefined;
  return Math.min(254, Math.max(1, descriptor.dwMaxIFSD || 32));
}
