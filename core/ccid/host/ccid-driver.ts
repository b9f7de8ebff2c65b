/**
 * A CCID host driver over any UsbCcidTransport: the class descriptor decides what it does (exchange
 * level, automatic behaviours, voltages, clocks, message size); slots are activated, parameters set
 * from the ATR, APDUs carried at the reader's level (T=0 / T=1 TPDUs, short or chained extended
 * APDUs), PINs entered on the keypad with PC_to_RDR_Secure, card movements reported live from the
 * interrupt pipe.
 */
import { hexLiteral } from '../../bytes/hex.js';
import { concatBytes } from '../../bytes/concat.js';
import { parseAtr, type Atr } from '../../iso7816/atr.js';
import { parseCommandApdu } from '../../iso7816/command-apdu.js';
import { decodePinModifyStructure, decodePinVerifyStructure } from '../../pcsc/pin-structures.js';
import { decodeClassDescriptor, usableMessageLength, type CcidClassDescriptor } from '../class-descriptor.js';
import { decodeCcidMessage, type ExchangeLevel } from '../decode-message.js';
import {
  encodeEscape,
  encodeGetSlotStatus,
  encodeIccPowerOff,
  encodeIccPowerOn,
  encodeSecure,
  encodeSetParameters,
  encodeXfrBlock,
} from '../encode-message.js';
import { encodeProtocolParameters } from '../protocol-parameters.js';
import { secureDataFromPinModifyBytes, secureDataFromPinVerifyBytes } from '../secure-from-pcsc.js';
import { CCID_BERROR, EXTENDED_APDU_CHAIN, HARDWARE_ERROR_NAMES, nameOr } from '../value-tables.js';
import { CcidError } from './ccid-error.js';
import { CcidMessageChannel, goneError, type CcidAnswer, type CcidTraceEntry } from './ccid-message-channel.js';
import { cardWaitingTimeMs, DEFAULT_CCID_TIMEOUTS, exchangeTimeoutMs, type CardTiming, type CcidTimeouts } from './ccid-timeouts.js';
import { pinOutcomeFromBError, pinOutcomeFromResponse, type PinOperationOutcome } from './pin-outcome.js';
import { t0Transceive, type T0Procedure } from './t0-exchange.js';
import { T1Engine, type T1BlockLink, type T1EngineEvent } from './t1-engine.js';
import {
  CCID_CLASS_REQUEST,
  CLASS_INTERFACE_IN,
  UsbTransferError,
  type UsbCcidDeviceInfo,
  type UsbCcidTransport,
} from './usb-ccid-transport.js';

export type CardProtocolName = 'T=0' | 'T=1';

export interface CcidDriverOptions {
  timeouts?: Partial<CcidTimeouts>;
  /** T=0 at TPDU level: the host runs the case rules (default) or passes APDUs through like libccid. */
  t0Procedure?: T0Procedure;
  /** Every message on the wire, for a protocol log and tests. */
  trace?: (entry: CcidTraceEntry) => void;
}

export type CcidDriverEvent =
  | { type: 'card-inserted'; slot: number }
  | { type: 'card-removed'; slot: number }
  | { type: 'hardware-error'; slot: number; code: number; meaning: string }
  | { type: 'time-extension'; slot: number; multiplier: number }
  | { type: 't1'; slot: number; event: T1EngineEvent }
  | { type: 'device-gone'; reason: string };

export interface CardActivation {
  slot: number;
  atr: Uint8Array;
  atrInfo: Atr;
  protocol: CardProtocolName;
  /** bPowerSelect that worked: 0 automatic, 1 5 V, 2 3 V, 3 1.8 V. */
  powerSelect: number;
  /** SetParameters was sent (the reader does not configure itself from the ATR). */
  parametersSet: boolean;
  /** T=1 at TPDU level: the IFSD the card accepted (undefined when the reader does it). */
  ifsd?: number;
}

export type SlotState = 'absent' | 'present-inactive' | 'present-active';

interface SlotSession {
  activation: CardActivation;
  timing: CardTiming;
  cardWaitMs: number;
  t1?: T1Engine;
}

const FEATURE_AUTO_PARAMETERS = 0x02;
const FEATURE_AUTO_VOLTAGE = 0x08;
const FEATURE_AUTO_PPS = 0x40 | 0x80;
const FEATURE_AUTO_IFSD = 0x400;

export class CcidDriver {
  readonly info: UsbCcidDeviceInfo;
  readonly descriptor: CcidClassDescriptor;
  readonly exchangeLevel: ExchangeLevel;
  private readonly timeouts: CcidTimeouts;
  private readonly channel: CcidMessageChannel;
  private readonly maxMessageLength: number;
  private readonly sessions = new Map<number, SlotSession>();
  private readonly present = new Map<number, boolean>();
  private readonly listeners = new Set<(event: CcidDriverEvent) => void>();
  private stopInterrupt: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly transport: UsbCcidTransport,
    descriptor: CcidClassDescriptor,
    private readonly options: CcidDriverOptions,
  ) {
    this.info = transport.info;
    this.descriptor = descriptor;
    this.exchangeLevel = descriptor.features.exchangeLevel;
    this.timeouts = { ...DEFAULT_CCID_TIMEOUTS, ...options.timeouts };
    // Sizes bulk IN reads and APDU chunks: never beyond what CCID allows, whatever the device claims.
    this.maxMessageLength = usableMessageLength(descriptor.dwMaxCCIDMessageLength);
    this.channel = new CcidMessageChannel(transport, this.maxMessageLength, {
      trace: options.trace,
      timeExtension: (slot, multiplier) => this.emit({ type: 'time-extension', slot, multiplier }),
    });
  }

  /** Reads the class descriptor and starts listening for card movements. Sends nothing on the bulk pipe. */
  static open(transport: UsbCcidTransport, options: CcidDriverOptions = {}): CcidDriver {
    const decoded = decodeClassDescriptor(transport.info.classDescriptor);
    if (!decoded.descriptor || decoded.descriptor.bDescriptorType !== 0x21) {
      throw new CcidError(
        'unsupported',
        `The device has no usable CCID class descriptor (${decoded.problems[0]?.message ?? 'wrong descriptor type'}).`,
        'This is not a CCID reader, or its descriptor is broken; try its PC/SC driver.',
      );
    }
    const driver = new CcidDriver(transport, decoded.descriptor, options);
    driver.listenInterrupt();
    return driver;
  }

  get slotCount(): number {
    return this.descriptor.bMaxSlotIndex + 1;
  }

  onEvent(listener: (event: CcidDriverEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The active card of a slot, if powered by this driver. */
  activation(slot: number): CardActivation | undefined {
    return this.sessions.get(slot)?.activation;
  }

  async slotStatus(slot: number): Promise<SlotState> {
    this.assertSlot(slot);
    const answer = await this.send({
      slot,
      build: (seq) => encodeGetSlotStatus({ slot, seq }),
      timeoutMs: this.timeouts.readerMs,
    });
    const state = slotStateOf(answer);
    this.present.set(slot, state !== 'absent');
    if (state !== 'present-active') this.sessions.delete(slot);
    return state;
  }

  /**
   * Activates the card: voltages from the lowest the reader offers up (ISO 7816-3 class C, B, A)
   * unless it selects the voltage itself, the ATR parsed, the protocol chosen, SetParameters sent
   * unless the reader configures itself from the ATR, and for T=1 at TPDU level the IFSD offered.
   * Powering an active card again is a warm reset.
   */
  async powerOn(slot: number, preferred?: CardProtocolName): Promise<CardActivation> {
    this.assertSlot(slot);
    this.sessions.delete(slot);
    const voltages = this.voltageOrder();
    let failure: CcidAnswer | undefined;
    let atr: Uint8Array | undefined;
    let powerSelect = 0;
    for (const [index, voltage] of voltages.entries()) {
      const answer = await this.send({
        slot,
        build: (seq) => encodeIccPowerOn({ slot, seq, powerSelect: voltage }),
        timeoutMs: this.timeouts.powerOnMs,
      });
      if (answer.status.commandStatus === 'ok' && answer.data.length > 0) {
        atr = Uint8Array.from(answer.data);
        powerSelect = voltage;
        break;
      }
      failure = answer;
      if (answer.status.iccStatus === 'absent') break;
      // Deactivate before the next class (ISO 7816-3 §6.2.4).
      if (index < voltages.length - 1)
        await this.send({ slot, build: (seq) => encodeIccPowerOff({ slot, seq }), timeoutMs: this.timeouts.readerMs });
    }
    if (!atr) throw failureError(failure!, 'Card activation');
    this.present.set(slot, true);

    const atrInfo = parseAtr(atr);
    const protocol = this.chooseProtocol(atrInfo, preferred);
    const features = this.descriptor.dwFeatures;
    const usesTa1 = atrInfo.specificMode !== undefined || (features & FEATURE_AUTO_PPS) !== 0;
    const timing: CardTiming = {
      protocol,
      fi: usesTa1 ? atrInfo.fi : 372,
      di: usesTa1 ? atrInfo.di : 1,
      bwi: atrInfo.t1?.bwi ?? 4,
      wi: atrInfo.waitingTimeInteger,
    };
    const activation: CardActivation = { slot, atr, atrInfo, protocol, powerSelect, parametersSet: false };
    const session: SlotSession = { activation, timing, cardWaitMs: cardWaitingTimeMs(timing, this.descriptor) };

    if ((features & FEATURE_AUTO_PARAMETERS) === 0) {
      await this.setParameters(slot, atrInfo, protocol, usesTa1);
      activation.parametersSet = true;
    }
    this.sessions.set(slot, session);
    if (protocol === 'T=1' && this.exchangeLevel === 'tpdu') {
      const t1 = new T1Engine({ ifsc: atrInfo.t1?.ifsc ?? 32, edc: atrInfo.t1?.edc ?? 'lrc' });
      t1.onEvent((event) => this.emit({ type: 't1', slot, event }));
      session.t1 = t1;
      if ((features & FEATURE_AUTO_IFSD) === 0) {
        const ifsd = Math.min(254, Math.max(1, this.descriptor.dwMaxIFSD || 32));
        if (await t1.negotiateIfsd(this.blockLink(slot, session), ifsd)) activation.ifsd = ifsd;
      }
    }
    return activation;
  }

  async powerOff(slot: number): Promise<void> {
    this.assertSlot(slot);
    this.sessions.delete(slot);
    const answer = await this.send({
      slot,
      build: (seq) => encodeIccPowerOff({ slot, seq }),
      timeoutMs: this.timeouts.readerMs,
    });
    if (answer.status.commandStatus === 'failed') throw failureError(answer, 'Power off');
  }

  /** One command APDU to the card of `slot`, its response APDU back. */
  async transmit(slot: number, apdu: Uint8Array, options: { t0Procedure?: T0Procedure } = {}): Promise<Uint8Array> {
    const session = this.session(slot);
    if (apdu.length < 4)
      throw new CcidError('bad-request', `An APDU needs at least 4 bytes, got ${apdu.length}.`, 'Check the command bytes.');
    switch (this.exchangeLevel) {
      case 'tpdu':
        if (session.t1) return session.t1.transceive(apdu, this.blockLink(slot, session));
        return t0Transceive(apdu, (tpdu) => this.xfr(slot, session, tpdu), options.t0Procedure ?? this.options.t0Procedure ?? 'host');
      case 'short-apdu':
        if (parseCommandApdu(apdu).extended) {
          throw new CcidError(
            'unsupported',
            'This reader exchanges short APDUs only.',
            'Split the command into short APDUs (command chaining) or use an extended-APDU reader.',
          );
        }
        return this.xfr(slot, session, apdu);
      case 'extended-apdu':
        return this.extendedApdu(slot, session, apdu);
      default:
        throw new CcidError('unsupported', 'Character-level CCID readers are not supported.', 'Use the reader through its PC/SC driver.');
    }
  }

  /** PC_to_RDR_Escape: the reader's vendor commands. */
  async escape(data: Uint8Array, slot = 0): Promise<Uint8Array> {
    this.assertSlot(slot);
    const answer = await this.send({
      slot,
      build: (seq) => encodeEscape({ slot, seq, data }),
      timeoutMs: this.timeouts.readerMs,
    });
    if (answer.status.commandStatus === 'failed') throw failureError(answer, 'Escape');
    return Uint8Array.from(answer.data);
  }

  /** PIN verification on the keypad from a PC/SC PIN_VERIFY_STRUCTURE (what SCardControl(VERIFY_PIN_DIRECT) takes). */
  async verifyPin(slot: number, pinVerifyStructure: Uint8Array): Promise<PinOperationOutcome> {
    const converted = secureDataFromPinVerifyBytes(pinVerifyStructure);
    const template = decodePinVerifyStructure(pinVerifyStructure).structure?.apdu.bytes;
    if (!converted.data || !template) throw badStructure('PIN_VERIFY_STRUCTURE', converted.problems);
    return this.secure(slot, 'verify', converted.data, template);
  }

  /** PIN change on the keypad from a PC/SC PIN_MODIFY_STRUCTURE. */
  async modifyPin(slot: number, pinModifyStructure: Uint8Array): Promise<PinOperationOutcome> {
    const converted = secureDataFromPinModifyBytes(pinModifyStructure);
    const template = decodePinModifyStructure(pinModifyStructure).structure?.apdu.bytes;
    if (!converted.data || !template) throw badStructure('PIN_MODIFY_STRUCTURE', converted.problems);
    return this.secure(slot, 'modify', converted.data, template);
  }

  /**
   * PC_to_RDR_Secure with abData as built by core/ccid (bPINOperation first, the APDU template
   * last). At T=1 TPDU level the driver writes the I-block prologue (NAD, PCB with our N(S)) into
   * bTeoPrologue and runs the card's answer through its T=1 engine, as the reader leaves that to us.
   */
  async secure(slot: number, operation: 'verify' | 'modify', abData: Uint8Array, template: Uint8Array): Promise<PinOperationOutcome> {
    const session = this.session(slot);
    if (this.descriptor.bPINSupport === 0) {
      throw new CcidError(
        'unsupported',
        'This reader has no PIN pad (bPINSupport 0).',
        'Verify the PIN with an ordinary VERIFY APDU instead.',
      );
    }
    const timeOutSeconds = abData[1] ?? 0;
    const entries = operation === 'verify' ? 1 : 3;
    const timeoutMs =
      entries * (timeOutSeconds > 0 ? timeOutSeconds * 1000 : this.timeouts.pinEntryMs) + this.exchangeTimeout(session, template.length);
    const sendSecure = async (data: Uint8Array): Promise<CcidAnswer> =>
      this.send({
        slot,
        build: (seq) => encodeSecure({ slot, seq, data }),
        timeoutMs,
        extendedTimeoutMs: (m) => timeoutMs * m,
      });
    const reportFailure = (answer: CcidAnswer): PinOperationOutcome => {
      const outcome = pinOutcomeFromBError(operation, answer.status.bError);
      if (outcome) return outcome;
      if (answer.status.bError === CCID_BERROR.CMD_NOT_SUPPORTED) {
        throw new CcidError(
          'unsupported',
          'The reader refused PIN entry (PC_to_RDR_Secure not supported).',
          'Verify the PIN with an ordinary VERIFY APDU instead.',
          0,
        );
      }
      throw failureError(answer, 'PIN entry');
    };

    if (session.t1) {
      let early: PinOperationOutcome | undefined;
      const teoOffset = abData.length - template.length - 3;
      const response = await session.t1
        .transceive(template, this.blockLink(slot, session), async (ns) => {
          const data = Uint8Array.from(abData);
          data[teoOffset] = 0; // NAD
          data[teoOffset + 1] = ns << 6; // PCB of an I-block with our N(S)
          data[teoOffset + 2] = 0; // LEN: the reader fills it in
          const answer = await sendSecure(data);
          if (answer.status.commandStatus === 'failed') {
            early = reportFailure(answer);
            // A well-formed empty answer so the engine stops; the outcome above is what counts.
            throw new PinEntryStopped();
          }
          return Uint8Array.from(answer.data);
        })
        .catch((error: unknown) => {
          if (error instanceof PinEntryStopped) return undefined;
          throw error;
        });
      return early ?? pinOutcomeFromResponse(operation, response!);
    }
    const answer = await sendSecure(abData);
    if (answer.status.commandStatus === 'failed') return reportFailure(answer);
    return pinOutcomeFromResponse(operation, Uint8Array.from(answer.data));
  }

  /**
   * Aborts the command of `slot` still waiting for the reader (CCID §5.3.1), e.g. a PIN entry
   * nobody will finish: that command then ends with the reader's answer, CMD_ABORTED (bError FF)
   * for a Secure. False when no command of that slot is waiting.
   */
  async abort(slot: number): Promise<boolean> {
    if (this.closed || this.channel.goneReason) return false;
    this.assertSlot(slot);
    return this.channel.abortInFlight(slot);
  }

  /** GET_CLOCK_FREQUENCIES class request: the clocks in kHz (empty when the reader lists none). */
  async clockFrequencies(): Promise<number[]> {
    return this.listRequest(CCID_CLASS_REQUEST.GET_CLOCK_FREQUENCIES, this.descriptor.bNumClockSupported);
  }

  /** GET_DATA_RATES class request: the rates in bps. */
  async dataRates(): Promise<number[]> {
    return this.listRequest(CCID_CLASS_REQUEST.GET_DATA_RATES, this.descriptor.bNumDataRatesSupported);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopInterrupt?.();
    this.sessions.clear();
    await this.transport.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  private async send(command: Parameters<CcidMessageChannel['send']>[0]): Promise<CcidAnswer> {
    if (this.closed) throw new CcidError('closed', 'The reader was closed.', 'Open it again.');
    try {
      return await this.channel.send(command);
    } catch (error) {
      if (error instanceof CcidError && error.code === 'device-gone') this.deviceGone(error.message);
      throw error;
    }
  }

  private async listRequest(request: number, count: number): Promise<number[]> {
    if (count === 0) return [];
    const setup = { bmRequestType: CLASS_INTERFACE_IN, bRequest: request, wValue: 0, wIndex: this.info.interfaceNumber };
    let bytes: Uint8Array;
    try {
      bytes = await this.transport.controlIn(setup, count * 4, this.timeouts.readerMs);
    } catch (error) {
      if (error instanceof UsbTransferError && error.failure === 'disconnected') {
        this.deviceGone(error.message);
        throw goneError(error.message);
      }
      if (error instanceof UsbTransferError && error.failure === 'stall') return [];
      throw error;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: Math.floor(bytes.length / 4) }, (_, i) => view.getUint32(i * 4, true));
  }

  private voltageOrder(): number[] {
    if ((this.descriptor.dwFeatures & FEATURE_AUTO_VOLTAGE) !== 0) return [0];
    // bVoltageSupport bit → bPowerSelect, lowest class first.
    const order: [number, number][] = [
      [0x04, 3],
      [0x02, 2],
      [0x01, 1],
    ];
    const voltages = order.filter(([bit]) => (this.descriptor.bVoltageSupport & bit) !== 0).map(([, select]) => select);
    return voltages.length > 0 ? voltages : [0];
  }

  private chooseProtocol(atr: Atr, preferred: CardProtocolName | undefined): CardProtocolName {
    const readerSupports = (p: number) => (this.descriptor.dwProtocols & (1 << p)) !== 0;
    const offered = atr.specificMode ? [atr.specificMode.protocol] : atr.protocols;
    const wanted = preferred === 'T=1' ? 1 : preferred === 'T=0' ? 0 : undefined;
    const pick =
      wanted !== undefined && offered.includes(wanted) && readerSupports(wanted)
        ? wanted
        : offered.find((p) => (p === 0 || p === 1) && readerSupports(p));
    if (pick === undefined) {
      throw new CcidError(
        'unsupported',
        `The card offers ${offered.map((p) => `T=${p}`).join(', ') || 'no protocol'}; the reader supports ${this.descriptor.protocols.join(', ') || 'none'}.`,
        'Use another reader for this card.',
      );
    }
    return pick === 1 ? 'T=1' : 'T=0';
  }

  private async setParameters(slot: number, atr: Atr, protocol: CardProtocolName, usesTa1: boolean): Promise<void> {
    const ta1 = atr.interfaceBytes.find((b) => b.name === 'TA1')?.value;
    const bmFindexDindex = usesTa1 && ta1 !== undefined ? ta1 : 0x11;
    const inverse = atr.convention === 'inverse' ? 0x02 : 0x00;
    const guard = atr.extraGuardTime;
    const protocolData =
      protocol === 'T=1'
        ? encodeProtocolParameters({
            protocol: 'T=1',
            bmFindexDindex,
            bmTCCKST1: 0x10 | inverse | (atr.t1?.edc === 'crc' ? 0x01 : 0x00),
            bGuardTimeT1: guard,
            bmWaitingIntegersT1: ((atr.t1?.bwi ?? 4) << 4) | (atr.t1?.cwi ?? 13),
            bIFSC: atr.t1?.ifsc ?? 32,
          })
        : encodeProtocolParameters({
            protocol: 'T=0',
            bmFindexDindex,
            bmTCCKST0: inverse,
            bGuardTimeT0: guard,
            bWaitingIntegerT0: atr.waitingTimeInteger,
          });
    const protocolNum = protocol === 'T=1' ? 1 : 0;
    const answer = await this.send({
      slot,
      build: (seq) => encodeSetParameters({ slot, seq, protocolNum, protocolData }),
      timeoutMs: this.timeouts.readerMs,
    });
    if (answer.status.commandStatus === 'failed') throw failureError(answer, 'SetParameters');
  }

  private session(slot: number): SlotSession {
    this.assertSlot(slot);
    const session = this.sessions.get(slot);
    if (!session) {
      const present = this.present.get(slot);
      throw present === false
        ? new CcidError('no-card', `No card in slot ${slot}.`, 'Insert a card.')
        : new CcidError('card-inactive', `The card in slot ${slot} is not powered.`, 'Power it on first.');
    }
    return session;
  }

  private assertSlot(slot: number): void {
    if (this.closed) throw new CcidError('closed', 'The reader was closed.', 'Open it again.');
    if (this.channel.goneReason) throw goneError(this.channel.goneReason);
    if (!Number.isInteger(slot) || slot < 0 || slot > this.descriptor.bMaxSlotIndex) {
      throw new CcidError(
        'bad-slot',
        `Slot ${slot} does not exist; the reader has ${this.slotCount}.`,
        `Use a slot from 0 to ${this.descriptor.bMaxSlotIndex}.`,
      );
    }
  }

  private exchangeTimeout(session: SlotSession, bytes: number, multiplier = 1): number {
    return exchangeTimeoutMs(this.timeouts, session.cardWaitMs, bytes, this.descriptor, multiplier);
  }

  /** One XfrBlock whose answer must succeed; returns abData. */
  private async xfr(
    slot: number,
    session: SlotSession,
    data: Uint8Array,
    options: { bwi?: number; levelParameter?: number } = {},
  ): Promise<Uint8Array> {
    const answer = await this.xfrAnswer(slot, session, data, options);
    if (answer.status.commandStatus === 'failed') throw failureError(answer, 'The exchange with the card');
    return Uint8Array.from(answer.data);
  }

  private xfrAnswer(
    slot: number,
    session: SlotSession,
    data: Uint8Array,
    options: { bwi?: number; levelParameter?: number } = {},
  ): Promise<CcidAnswer> {
    const bytes = data.length + 258;
    const bwi = options.bwi ?? 0;
    return this.send({
      slot,
      build: (seq) => encodeXfrBlock({ slot, seq, bwi, levelParameter: options.levelParameter ?? 0, data }),
      timeoutMs: this.exchangeTimeout(session, bytes, Math.max(1, bwi)),
      extendedTimeoutMs: (multiplier) => this.exchangeTimeout(session, bytes, multiplier * Math.max(1, bwi)),
    });
  }

  /** The T=1 engine's way to the card: one block per XfrBlock; a block the card garbled or never sent comes back empty. */
  private blockLink(slot: number, session: SlotSession): T1BlockLink {
    return {
      exchange: async (block, waitMultiplier) => {
        const answer = await this.xfrAnswer(slot, session, block, { bwi: waitMultiplier > 1 ? Math.min(255, waitMultiplier) : 0 });
        if (answer.status.commandStatus !== 'failed') return Uint8Array.from(answer.data);
        if (answer.status.iccStatus === 'absent') throw failureError(answer, 'The exchange with the card');
        const bError = answer.status.bError;
        if (bError === CCID_BERROR.ICC_MUTE || bError === CCID_BERROR.XFR_PARITY_ERROR || bError === CCID_BERROR.XFR_OVERRUN)
          return new Uint8Array(0);
        throw failureError(answer, 'The exchange with the card');
      },
    };
  }

  private async extendedApdu(slot: number, session: SlotSession, apdu: Uint8Array): Promise<Uint8Array> {
    const room = Math.max(1, this.maxMessageLength - 10);
    let answer: CcidAnswer;
    if (apdu.length <= room) {
      answer = await this.xfrAnswer(slot, session, apdu);
    } else {
      let at = 0;
      for (;;) {
        const part = apdu.subarray(at, Math.min(apdu.length, at + room));
        const first = at === 0;
        at += part.length;
        const last = at >= apdu.length;
        answer = await this.xfrAnswer(slot, session, part, {
          levelParameter: first ? EXTENDED_APDU_CHAIN.begins : last ? EXTENDED_APDU_CHAIN.ends : EXTENDED_APDU_CHAIN.continues,
        });
        if (answer.status.commandStatus === 'failed') throw failureError(answer, 'The exchange with the card');
        if (last) break;
      }
    }
    const parts: Uint8Array[] = [];
    for (let rounds = 0; ; rounds++) {
      if (answer.status.commandStatus === 'failed') throw failureError(answer, 'The exchange with the card');
      parts.push(Uint8Array.from(answer.data));
      const chain = answer.byte9;
      if (chain === EXTENDED_APDU_CHAIN.whole || chain === EXTENDED_APDU_CHAIN.ends) break;
      if (
        (chain !== EXTENDED_APDU_CHAIN.begins && chain !== EXTENDED_APDU_CHAIN.continues && chain !== EXTENDED_APDU_CHAIN.more) ||
        rounds > 4096
      ) {
        throw new CcidError('protocol-violation', `The reader sent bChainParameter ${hexLiteral(chain)}.`, 'Unplug and replug the reader.');
      }
      answer = await this.xfrAnswer(slot, session, new Uint8Array(0), { levelParameter: EXTENDED_APDU_CHAIN.more });
    }
    return concatBytes(parts);
  }

  private listenInterrupt(): void {
    if (!this.transport.interruptIn) return;
    this.stopInterrupt = this.transport.interruptIn({
      data: (bytes) => {
        this.options.trace?.({ direction: 'interrupt', bytes });
        this.onInterrupt(bytes);
      },
      error: (failure) => {
        if (failure.failure === 'disconnected') {
          this.channel.markGone(failure.message);
          this.deviceGone(failure.message);
        }
      },
    });
  }

  private onInterrupt(bytes: Uint8Array): void {
    const message = decodeCcidMessage(bytes, { direction: 'interrupt', slotCount: this.slotCount });
    for (const { slot, present, changed } of message.slotChanges ?? []) {
      const known = this.present.get(slot);
      if (!changed && known === present) continue;
      // Gone, or a new card: the old session is void either way.
      if (changed) this.sessions.delete(slot);
      this.present.set(slot, present);
      this.emit({ type: present ? 'card-inserted' : 'card-removed', slot });
    }
    const code = message.fields.bHardwareErrorCode;
    if (message.name === 'RDR_to_PC_HardwareError' && code !== undefined && message.bSlot !== undefined) {
      this.sessions.delete(message.bSlot);
      this.emit({
        type: 'hardware-error',
        slot: message.bSlot,
        code,
        meaning: nameOr(HARDWARE_ERROR_NAMES, code, `hardware error ${hexLiteral(code)}`),
      });
    }
  }

  private deviceGone(reason: string): void {
    if (this.sessions.size === 0 && this.closedForGone) return;
    this.closedForGone = true;
    this.sessions.clear();
    this.stopInterrupt?.();
    this.emit({ type: 'device-gone', reason });
  }

  private closedForGone = false;

  private emit(event: CcidDriverEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

class PinEntryStopped extends Error {}

function slotStateOf(answer: CcidAnswer): SlotState {
  if (answer.status.iccStatus === 'absent') return 'absent';
  return answer.status.iccStatus === 'present-active' ? 'present-active' : 'present-inactive';
}

/** A failed answer as a typed error: no card, mute card, or the reader's bError with its meaning. */
export function failureError(answer: CcidAnswer, action: string): CcidError {
  const { bError, iccStatus } = answer.status;
  if (iccStatus === 'absent')
    return new CcidError('no-card', `${action} failed: no card in slot ${answer.slot}.`, 'Insert a card.', bError);
  if (bError === CCID_BERROR.ICC_MUTE) {
    return new CcidError(
      'card-mute',
      `${action} failed: the card did not answer (ICC_MUTE).`,
      'Check that the card is inserted the right way round, or try another card.',
      bError,
    );
  }
  const name = answer.status.errorName ? `${answer.status.errorName}, ` : '';
  return new CcidError(
    'command-failed',
    `${action} failed: the reader reports ${name}bError ${hexLiteral(bError)} (${answer.status.errorMeaning}).`,
    'Try again; if it repeats, reset the card or replug the reader.',
    bError,
  );
}

function badStructure(name: string, problems: readonly { message: string }[]): CcidError {
  return new CcidError(
    'bad-request',
    `The ${name} was refused: ${problems.map((p) => p.message).join('; ') || 'it could not be read'}.`,
    'Fix the structure (the pinpad wizard shows each field).',
  );
}
