/**
 * A USB CCID reader in-process: the same UsbCcidTransport the `usb` adapter implements, backed by
 * one VirtualCcidReader per slot. The device adds what USB adds (a bulk IN queue read with
 * timeouts, answers split over transfers, the interrupt pipe, the class requests), the exchange
 * levels the reader model leaves to its transport (short and extended APDU), and faults.
 *
 * A little over 400 lines: the device is one state machine (the bulk IN queue and its waiters,
 * hung slots, a held T=1 answer, APDU chains) that every fault acts on. The reader model is
 * VirtualCcidReader's, the faults' description usb-faults.ts's, the reader profiles their own file.
 */
import { concatBytes } from '#core/bytes/concat.js';
import { encodeClassDescriptor } from '#core/ccid/class-descriptor.js';
import { encodeDataBlock, encodeHardwareError, encodeNotifySlotChange } from '#core/ccid/encode-message.js';
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import { CCID_BERROR, EXTENDED_APDU_CHAIN } from '#core/ccid/value-tables.js';
import {
  CCID_CLASS_REQUEST,
  UsbTransferError,
  type InterruptListener,
  type UsbCcidDeviceInfo,
  type UsbCcidTransport,
  type UsbControlSetup,
} from '#core/ccid/host/usb-ccid-transport.js';
import { decodeT1Block, encodeT1Block } from '#core/iso7816/t1.js';
import type { SmartCard } from '../card/virtual-card.js';
import type { Keypad } from '../reader/keypad.js';
import { VirtualCcidReader, type ReaderActivity } from '../reader/virtual-ccid-reader.js';
import type { DeviceTimers, UsbFaults } from './usb-faults.js';
import type { UsbReaderProfile } from './usb-reader-profiles.js';

export interface VirtualUsbCcidDeviceOptions {
  profile: UsbReaderProfile;
  keypad: Keypad;
  /** Card per slot at start (undefined = empty slot). */
  cards?: (SmartCard | undefined)[];
  timers: DeviceTimers;
  faults?: UsbFaults;
  onActivity?: (slot: number, activity: ReaderActivity) => void;
}

interface Waiter {
  resolve(bytes: Uint8Array): void;
  reject(error: UsbTransferError): void;
  timer: unknown;
}

interface ApduChain {
  command: Uint8Array[];
  response?: Uint8Array;
}

export class VirtualUsbCcidDevice implements UsbCcidTransport {
  readonly info: UsbCcidDeviceInfo;
  readonly profile: UsbReaderProfile;
  /** Faults to inject; change them at any time. */
  faults: UsbFaults;
  /** Every bulk OUT message the host sent, in order. */
  readonly received: Uint8Array[] = [];
  private readonly readers: VirtualCcidReader[];
  private readonly cards: (SmartCard | undefined)[];
  private readonly timers: DeviceTimers;
  private readonly queue: Uint8Array[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly interruptListeners = new Set<InterruptListener>();
  private readonly chains = new Map<number, ApduChain>();
  private readonly hung = new Map<number, number>();
  private heldT1Answer: { slot: number; data: Uint8Array } | undefined;
  private gone = false;
  private closed = false;

  constructor(options: VirtualUsbCcidDeviceOptions) {
    this.profile = options.profile;
    this.faults = options.faults ?? {};
    this.timers = options.timers;
    const slots = options.profile.descriptor.bMaxSlotIndex + 1;
    this.cards = Array.from({ length: slots }, (_, i) => options.cards?.[i]);
    this.readers = this.cards.map(
      (card, slot) =>
        new VirtualCcidReader({
          keypad: options.keypad,
          card,
          profile: options.profile.readerProfile,
          onActivity: (a) => options.onActivity?.(slot, a),
        }),
    );
    this.info = {
      vendorId: options.profile.vendorId,
      productId: options.profile.productId,
      bcdDevice: 0x0100,
      manufacturer: options.profile.manufacturer,
      product: options.profile.product,
      serialNumber: 'VIRTUAL-0001',
      location: 'in-process',
      interfaceNumber: 0,
      interfaceClass: options.profile.interfaceClass,
      classDescriptor: encodeClassDescriptor(options.profile.descriptor),
      bulkIn: { address: 0x82, maxPacketSize: 64 },
      bulkOut: { address: 0x01, maxPacketSize: 64 },
      interruptIn: { address: 0x83, maxPacketSize: 8 },
    };
  }

  // ---- the world outside the device ------------------------------------------------------------

  insertCard(slot: number, card: SmartCard): void {
    this.cards[slot] = card;
    this.readers[slot]!.insertCard(card);
    this.notifySlotChange(slot);
  }

  removeCard(slot: number): void {
    this.cards[slot] = undefined;
    this.readers[slot]!.removeCard();
    this.notifySlotChange(slot);
  }

  /** RDR_to_PC_HardwareError on the interrupt pipe (e.g. code 0x01 over-current). */
  hardwareError(slot: number, code: number): void {
    this.interrupt(encodeHardwareError({ slot, seq: 0, code }));
  }

  /** Unplugged: every pending and later transfer fails with 'disconnected'. */
  vanish(): void {
    if (this.gone) return;
    this.gone = true;
    const error = new UsbTransferError('disconnected', 'LIBUSB_ERROR_NO_DEVICE (virtual device unplugged)');
    for (const waiter of this.waiters.splice(0)) {
      this.timers.clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    for (const listener of this.interruptListeners) listener.error(error);
  }

  // ---- UsbCcidTransport ---------------------------------------------------------------------------

  bulkOut(bytes: Uint8Array): Promise<void> {
    const failure = this.unusable();
    if (failure) return Promise.reject(failure);
    const message = Uint8Array.from(bytes);
    this.received.push(message);
    if (this.faults.vanishAfterMessages !== undefined && --this.faults.vanishAfterMessages <= 0) {
      this.faults.vanishAfterMessages = undefined;
      // Accepted, then gone before the answer: the classic unplug mid-transfer.
      void Promise.resolve().then(() => this.vanish());
      return Promise.resolve();
    }
    void this.process(message).catch(() => undefined);
    return Promise.resolve();
  }

  bulkIn(maxLength: number, timeoutMs: number): Promise<Uint8Array> {
    const failure = this.unusable();
    if (failure) return Promise.reject(failure);
    const next = this.queue.shift();
    if (next) return Promise.resolve(this.take(next, maxLength));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (bytes) => resolve(this.take(bytes, maxLength)),
        reject,
        timer: this.timers.setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new UsbTransferError('timeout', `LIBUSB_TRANSFER_TIMED_OUT after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  interruptIn(listener: InterruptListener): () => void {
    this.interruptListeners.add(listener);
    return () => this.interruptListeners.delete(listener);
  }

  controlIn(setup: UsbControlSetup, length: number): Promise<Uint8Array> {
    const failure = this.unusable();
    if (failure) return Promise.reject(failure);
    const list =
      setup.bRequest === CCID_CLASS_REQUEST.GET_CLOCK_FREQUENCIES
        ? this.profile.clockFrequencies
        : setup.bRequest === CCID_CLASS_REQUEST.GET_DATA_RATES
          ? this.profile.dataRates
          : undefined;
    if (!list) return Promise.reject(new UsbTransferError('stall', 'LIBUSB_ERROR_PIPE (request not supported)'));
    const out = new Uint8Array(list.length * 4);
    const view = new DataView(out.buffer);
    list.forEach((value, i) => view.setUint32(i * 4, value, true));
    return Promise.resolve(out.subarray(0, Math.min(length, out.length)));
  }

  controlOut(setup: UsbControlSetup): Promise<void> {
    const failure = this.unusable();
    if (failure) return Promise.reject(failure);
    if (setup.bRequest !== CCID_CLASS_REQUEST.ABORT)
      return Promise.reject(new UsbTransferError('stall', 'LIBUSB_ERROR_PIPE (request not supported)'));
    // CCID §5.3.1: the command the host gave up on is answered with CMD_ABORTED.
    const slot = setup.wValue & 0xff;
    // A PIN entry waiting for the keypad ends now; the reader model answers it CMD_ABORTED.
    this.readers[slot]?.abortPinEntry();
    const hungSeq = this.hung.get(slot);
    if (hungSeq !== undefined) {
      this.hung.delete(slot);
      this.deliver(
        encodeDataBlock({ slot, seq: hungSeq, commandStatus: 1, iccStatus: 0, bError: CCID_BERROR.CMD_ABORTED, data: new Uint8Array(0) }),
      );
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    const error = new UsbTransferError('cancelled', 'LIBUSB_TRANSFER_CANCELLED (device closed)');
    for (const waiter of this.waiters.splice(0)) {
      this.timers.clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.interruptListeners.clear();
    return Promise.resolve();
  }

  // ---- inside the reader --------------------------------------------------------------------------

  private async process(message: Uint8Array): Promise<void> {
    const type = message[0];
    const slot = message[5] ?? 0;
    const seq = message[6] ?? 0;
    const reader = this.readers[slot];
    if (!reader || message.length < CCID_HEADER_LENGTH) {
      // Let slot 0's model produce the right refusal (bad slot, short message).
      this.deliver(await this.readers[0]!.handle(message));
      return;
    }
    const cardCommand = type === CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock || type === CCID_MESSAGE_CODE.PC_to_RDR_Secure;
    if (cardCommand && this.faults.muteCard && this.cards[slot] && reader.cardPowered) {
      if (this.faults.muteCard === 'no-answer') this.hung.set(slot, seq);
      else
        this.deliver(encodeDataBlock({ slot, seq, commandStatus: 1, iccStatus: 0, bError: CCID_BERROR.ICC_MUTE, data: new Uint8Array(0) }));
      return;
    }
    if (type === CCID_MESSAGE_CODE.PC_to_RDR_Abort) this.hung.delete(slot);

    let answer: Uint8Array;
    const level = this.profile.descriptor.dwFeatures & 0x00070000;
    if (type === CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock && level !== 0x00010000 && reader.cardPowered) {
      answer = this.apduLevel(slot, seq, message);
    } else if (type === CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock && this.cards[slot]?.protocol === 'T=1' && reader.cardPowered) {
      answer = await this.t1Block(slot, seq, message, reader);
    } else {
      answer = withSlot(await reader.handle(withSlot(message, 0)), slot);
    }
    this.answer(slot, answer);
  }

  /** Short / extended APDU level: the reader talks to the card, the host sees APDUs (chained when long). */
  private apduLevel(slot: number, seq: number, message: Uint8Array): Uint8Array {
    const card = this.cards[slot]!;
    const payload = message.subarray(CCID_HEADER_LENGTH);
    const level = message[8]! | (message[9]! << 8);
    const room = this.profile.descriptor.dwMaxCCIDMessageLength - CCID_HEADER_LENGTH;
    const extended = (this.profile.descriptor.dwFeatures & 0x00040000) !== 0;
    const block = (data: Uint8Array, chainParameter: number) => encodeDataBlock({ slot, seq, chainParameter, data });
    const chain = this.chains.get(slot) ?? { command: [] };
    this.chains.set(slot, chain);
    if (extended && level === EXTENDED_APDU_CHAIN.more) {
      const rest = chain.response ?? new Uint8Array(0);
      const part = rest.subarray(0, room);
      chain.response = rest.subarray(part.length);
      const last = chain.response.length === 0;
      if (last) chain.response = undefined;
      return block(part, last ? EXTENDED_APDU_CHAIN.ends : EXTENDED_APDU_CHAIN.continues);
    }
    if (extended && (level === EXTENDED_APDU_CHAIN.begins || level === EXTENDED_APDU_CHAIN.continues)) {
      if (level === EXTENDED_APDU_CHAIN.begins) chain.command = [];
      chain.command.push(Uint8Array.from(payload));
      return block(new Uint8Array(0), EXTENDED_APDU_CHAIN.more);
    }
    let apdu = payload;
    if (extended && level === EXTENDED_APDU_CHAIN.ends) {
      chain.command.push(Uint8Array.from(payload));
      apdu = concatBytes(chain.command);
      chain.command = [];
    }
    const response = card.transmit(apdu);
    if (response.length <= room) return block(response, EXTENDED_APDU_CHAIN.whole);
    if (!extended) return encodeDataBlock({ slot, seq, commandStatus: 1, bError: CCID_BERROR.XFR_OVERRUN, data: new Uint8Array(0) });
    chain.response = response.subarray(room);
    return block(response.subarray(0, room), EXTENDED_APDU_CHAIN.begins);
  }

  /** TPDU level T=1, with the card-side faults (garbled blocks, S(WTX), S(IFS)) injected around the model. */
  private async t1Block(slot: number, seq: number, message: Uint8Array, reader: VirtualCcidReader): Promise<Uint8Array> {
    const payload = message.subarray(CCID_HEADER_LENGTH);
    const hostBlock = decodeT1Block(payload);
    if (this.heldT1Answer && hostBlock.kind === 'S' && hostBlock.response && (hostBlock.sType === 'WTX' || hostBlock.sType === 'IFS')) {
      const held = this.heldT1Answer;
      this.heldT1Answer = undefined;
      return encodeDataBlock({ slot, seq, data: held.data });
    }
    let forwarded = message;
    if (this.faults.corruptHostBlocks && payload.length > 0) {
      this.faults.corruptHostBlocks--;
      forwarded = Uint8Array.from(message);
      forwarded[forwarded.length - 1]! ^= 0xff;
    }
    const answer = withSlot(await reader.handle(withSlot(forwarded, 0)), slot);
    const data = answer.subarray(CCID_HEADER_LENGTH);
    if (answer[0] !== CCID_MESSAGE_CODE.RDR_to_PC_DataBlock || data.length === 0) return answer;
    const cardBlock = decodeT1Block(data);
    if (cardBlock.kind === 'I' && this.faults.wtxRequests && this.faults.wtxRequests.count > 0) {
      this.faults.wtxRequests.count--;
      this.heldT1Answer = { slot, data: Uint8Array.from(data) };
      return encodeDataBlock({
        slot,
        seq,
        data: encodeT1Block({ kind: 'S', sType: 'WTX', response: false, value: this.faults.wtxRequests.multiplier }),
      });
    }
    if (cardBlock.kind === 'I' && this.faults.ifsRequests && this.faults.ifsRequests.count > 0) {
      this.faults.ifsRequests.count--;
      this.heldT1Answer = { slot, data: Uint8Array.from(data) };
      return encodeDataBlock({
        slot,
        seq,
        data: encodeT1Block({ kind: 'S', sType: 'IFS', response: false, value: this.faults.ifsRequests.value }),
      });
    }
    if (this.faults.corruptCardBlocks) {
      this.faults.corruptCardBlocks--;
      const garbled = Uint8Array.from(answer);
      garbled[garbled.length - 1]! ^= 0xff;
      return garbled;
    }
    return answer;
  }

  /** Queues the answer as the faults say: stale copies first, time extensions, delays. */
  private answer(slot: number, answer: Uint8Array): void {
    const seq = answer[6]!;
    const final = this.faults.wrongSeqAlways ? withSeq(answer, (seq + 7) & 0xff) : answer;
    if (this.faults.staleAnswers) {
      this.faults.staleAnswers--;
      this.deliver(withSeq(answer, (seq - 1) & 0xff));
    }
    const slow = this.faults.slowCard;
    if (!slow || answer[0] !== CCID_MESSAGE_CODE.RDR_to_PC_DataBlock) {
      this.deliver(final);
      return;
    }
    for (let i = 0; i < slow.count; i++) {
      this.timers.setTimeout(
        () =>
          this.deliver(encodeDataBlock({ slot, seq, commandStatus: 2, iccStatus: 0, bError: slow.multiplier, data: new Uint8Array(0) })),
        (i + 1) * slow.intervalMs,
      );
    }
    this.timers.setTimeout(() => this.deliver(final), slow.count * slow.intervalMs + slow.finalDelayMs);
  }

  private deliver(message: Uint8Array): void {
    if (this.gone || this.closed) return;
    const size = this.faults.splitAnswersAt;
    const chunks: Uint8Array[] = [];
    if (size && size > 0) for (let at = 0; at < message.length; at += size) chunks.push(message.subarray(at, at + size));
    else chunks.push(message);
    for (const chunk of chunks) {
      const waiter = this.waiters.shift();
      if (waiter) {
        this.timers.clearTimeout(waiter.timer);
        waiter.resolve(chunk);
      } else {
        this.queue.push(chunk);
      }
    }
  }

  /** A transfer shorter than the message leaves the rest for the next bulk IN. */
  private take(bytes: Uint8Array, maxLength: number): Uint8Array {
    if (bytes.length <= maxLength) return bytes;
    this.queue.unshift(bytes.subarray(maxLength));
    return bytes.subarray(0, maxLength);
  }

  private notifySlotChange(changedSlot: number): void {
    this.readers.forEach((reader) => reader.takeSlotChange());
    this.interrupt(
      encodeNotifySlotChange(this.cards.map((card, slot) => ({ present: card !== undefined, changed: slot === changedSlot }))),
    );
  }

  private interrupt(bytes: Uint8Array): void {
    if (this.gone || this.closed) return;
    for (const listener of this.interruptListeners) listener.data(bytes);
  }

  private unusable(): UsbTransferError | undefined {
    if (this.gone) return new UsbTransferError('disconnected', 'LIBUSB_ERROR_NO_DEVICE (virtual device unplugged)');
    if (this.closed) return new UsbTransferError('cancelled', 'the device was closed');
    return undefined;
  }
}

function withSlot(message: Uint8Array, slot: number): Uint8Array {
  if (message.length < CCID_HEADER_LENGTH || message[5] === slot) return message;
  const out = Uint8Array.from(message);
  out[5] = slot;
  return out;
}

function withSeq(message: Uint8Array, seq: number): Uint8Array {
  const out = Uint8Array.from(message);
  out[6] = seq;
  return out;
}
