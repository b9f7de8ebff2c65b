/**
 * A CCID host driver over any UsbCcidTransport: the class descriptor decides what it does (exchange
 * level, automatic behaviours, voltages, clocks, message size); slots are activated, parameters set
 * from the ATR, APDUs carried at the reader's level (T=0 / T=1 TPDUs, short or chained extended
 * APDUs), PINs entered on the keypad with PC_to_RDR_Secure, card movements reported live from the
 * interrupt pipe.
 *
 * Longer than our other modules on purpose: this is the one object that holds a reader's state
 * (slot sessions, card presence, the message channel, the interrupt pipe, closing), and each public
 * method is the short path from that state to the module that decides: activation-policy (voltages,
 * protocol, SetParameters), pin-entry, t0-exchange, t1-engine, extended-apdu-exchange,
 * ccid-timeouts. Splitting the state itself would scatter what one reader is.
 */
import { hexLiteral } from '#core/bytes/hex.js';
import { parseAtr, type Atr } from '#core/iso7816/atr.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { CCID_CLASS_DESCRIPTOR_TYPE, decodeClassDescriptor, usableMessageLength, type CcidClassDescriptor } from '../class-descriptor.js';
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
import { CCID_HEADER_LENGTH } from '../message-types.js';
import { CCID_BERROR, HARDWARE_ERROR_NAMES, nameOr } from '../value-tables.js';
import {
  cardTiming,
  chooseProtocol,
  ifsdToOffer,
  needsSetParameters,
  protocolParametersFor,
  voltageOrder,
  type CardProtocolName,
} from './activation-policy.js';
import { CcidError, failureError } from './ccid-error.js';
import { CcidMessageChannel, goneError, type CcidAnswer, type CcidTraceEntry } from './ccid-message-channel.js';
import { extendedApduTransceive } from './extended-apdu-exchange.js';
import { cardWaitingTimeMs, DEFAULT_CCID_TIMEOUTS, exchangeTimeoutMs, type CardTiming, type CcidTimeouts } from './ccid-timeouts.js';
import { assertPinPad, enterPin, securePinRequest, type PinEntryPath } from './pin-entry.js';
import type { PinOperationOutcome } from './pin-outcome.js';
import { t0Transceive, type T0Procedure } from './t0-exchange.js';
import { T1Engine, type T1BlockLink, type T1EngineEvent } from './t1-engine.js';
import {
  CCID_CLASS_REQUEST,
  CLASS_INTERFACE_IN,
  UsbTransferError,
  type UsbCcidDeviceInfo,
  type UsbCcidTransport,
} from './usb-ccid-transport.js';

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
    if (!decoded.descriptor || decoded.descriptor.bDescriptorType !== CCID_CLASS_DESCRIPTOR_TYPE) {
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
    const voltages = voltageOrder(this.descriptor);
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
    const protocol = chooseProtocol(this.descriptor, atrInfo, preferred);
    const timing = cardTiming(this.descriptor, atrInfo, protocol);
    const activation: CardActivation = { slot, atr, atrInfo, protocol, powerSelect, parametersSet: false };
    const session: SlotSession = { activation, timing, cardWaitMs: cardWaitingTimeMs(timing, this.descriptor) };

    if (needsSetParameters(this.descriptor)) {
      await this.setParameters(slot, protocolParametersFor(this.descriptor, atrInfo, protocol));
      activation.parametersSet = true;
    }
    this.sessions.set(slot, session);
    if (protocol === 'T=1' && this.exchangeLevel === 'tpdu') {
      const t1 = new T1Engine({ ifsc: atrInfo.t1?.ifsc ?? 32, edc: atrInfo.t1?.edc ?? 'lrc' });
      t1.onEvent((event) => this.emit({ type: 't1', slot, event }));
      session.t1 = t1;
      const ifsd = ifsdToOffer(this.descriptor);
      if (ifsd !== undefined && (await t1.negotiateIfsd(this.blockLink(slot, session), ifsd))) activation.ifsd = ifsd;
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
        return extendedApduTransceive(apdu, Math.max(1, this.maxMessageLength - CCID_HEADER_LENGTH), (data, levelParameter) =>
          this.xfrAnswer(slot, session, data, { levelParameter }),
        );
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
    const request = securePinRequest('verify', pinVerifyStructure);
    return this.secure(slot, 'verify', request.abData, request.template);
  }

  /** PIN change on the keypad from a PC/SC PIN_MODIFY_STRUCTURE. */
  async modifyPin(slot: number, pinModifyStructure: Uint8Array): Promise<PinOperationOutcome> {
    const request = securePinRequest('modify', pinModifyStructure);
    return this.secure(slot, 'modify', request.abData, request.template);
  }

  /** PC_to_RDR_Secure with abData as built by core/ccid (bPINOperation first, the APDU template last); see pin-entry.ts. */
  async secure(slot: number, operation: 'verify' | 'modify', abData: Uint8Array, template: Uint8Array): Promise<PinOperationOutcome> {
    const session = this.session(slot);
    assertPinPad(this.descriptor);
    const path: PinEntryPath = {
      sendSecure: (data, timeoutMs) =>
        this.send({ slot, build: (seq) => encodeSecure({ slot, seq, data }), timeoutMs, extendedTimeoutMs: (m) => timeoutMs * m }),
      t1: session.t1 && { engine: session.t1, link: this.blockLink(slot, session) },
      cardTimeoutMs: (bytes) => this.exchangeTimeout(session, bytes),
      defaultEntryMs: this.timeouts.pinEntryMs,
    };
    return enterPin(path, operation, { abData, template });
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

  private async setParameters(slot: number, parameters: { protocolNum: number; protocolData: Uint8Array }): Promise<void> {
    const answer = await this.send({
      slot,
      build: (seq) => encodeSetParameters({ slot, seq, ...parameters }),
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

function slotStateOf(answer: CcidAnswer): SlotState {
  if (answer.status.iccStatus === 'absent') return 'absent';
  return answer.status.iccStatus === 'present-active' ? 'present-active' : 'present-inactive';
}
