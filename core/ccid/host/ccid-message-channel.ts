/**
 * The bulk pipe pair as a request/answer channel: one command at a time, a fresh bSeq for each,
 * answers matched on bSeq and bSlot (stale answers of an earlier, timed-out command are read and
 * dropped), time extensions (bStatus 0x80) honoured with the reader's multiplier, answers that
 * span several bulk IN transfers rebuilt from dwLength, and Abort (class request + bulk message)
 * when the reader goes quiet, or when the host gives up on a command still waiting (a PIN entry).
 */
import { hexLiteral } from '#core/bytes/hex.js';
import { decodeSlotStatus, type CcidSlotStatus } from '../slot-status.js';
import { encodeAbort } from '../encode-message.js';
import { answerCodeOf, CCID_HEADER_LENGTH, CCID_MAX_DATA_LENGTH, CCID_MESSAGE_CODE, dwLengthOf } from '../message-types.js';
import { CcidError } from './ccid-error.js';
import { CCID_CLASS_REQUEST, CLASS_INTERFACE_OUT, UsbTransferError, type UsbCcidTransport } from './usb-ccid-transport.js';

export interface CcidAnswer {
  bytes: Uint8Array;
  messageType: number;
  slot: number;
  seq: number;
  status: CcidSlotStatus;
  /** Byte 9: bChainParameter (DataBlock), bClockStatus (SlotStatus), bProtocolNum (Parameters). */
  byte9: number;
  data: Uint8Array;
}

export interface CcidCommand {
  slot: number;
  /** Builds the message with the bSeq the channel chose; its type's row in message-types says which answer is due. */
  build(seq: number): Uint8Array;
  timeoutMs: number;
  /** Timeout after a time extension asking for `multiplier` waiting times. */
  extendedTimeoutMs?(multiplier: number): number;
}

export type CcidTraceEntry = { direction: 'out' | 'in' | 'interrupt'; bytes: Uint8Array } | { direction: 'control'; request: string };

export interface CcidChannelObserver {
  trace?(entry: CcidTraceEntry): void;
  timeExtension?(slot: number, multiplier: number): void;
  staleAnswer?(expectedSeq: number, answer: CcidAnswer): void;
}

/** Stale answers skipped for one command before the reader is declared confused. */
const MAX_STALE_ANSWERS = 16;
/** Time extensions accepted for one command: a card that asks forever is as good as mute. */
const MAX_TIME_EXTENSIONS = 1000;
const ABORT_TIMEOUT_MS = 2000;
const MAX_READS_PER_MESSAGE = 2048;

export class CcidMessageChannel {
  private nextSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private gone: string | undefined;
  /** The command waiting for its answer, so an abort can name its slot. */
  private inFlight: { slot: number } | undefined;

  constructor(
    private readonly transport: UsbCcidTransport,
    private readonly maxMessageLength: number,
    private readonly observer: CcidChannelObserver = {},
  ) {}

  /** Set once the device vanished: every later command fails at once. */
  get goneReason(): string | undefined {
    return this.gone;
  }

  markGone(reason: string): void {
    this.gone ??= reason;
  }

  /** Runs one command (queued behind the others) and returns its answer, whatever its status. */
  send(command: CcidCommand): Promise<CcidAnswer> {
    const run = this.queue.then(() => this.exchange(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private takeSeq(): number {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) & 0xff;
    return seq;
  }

  /**
   * CCID §5.3.1 for the command of `slot` still waiting for its answer (a PIN entry the user gave
   * up on): the ABORT class request and PC_to_RDR_Abort go out now, outside the queue. The reader
   * answers the waiting command with CMD_ABORTED, which that command reads as its own answer; the
   * Abort's SlotStatus is then a stale answer the next command skips. False when nothing waits.
   */
  async abortInFlight(slot: number): Promise<boolean> {
    if (this.gone || this.inFlight?.slot !== slot) return false;
    const seq = this.takeSeq();
    await this.guard(() => this.sendAbort(slot, seq));
    return true;
  }

  private async exchange(command: CcidCommand): Promise<CcidAnswer> {
    this.inFlight = { slot: command.slot };
    try {
      return await this.exchangeOnce(command);
    } finally {
      this.inFlight = undefined;
    }
  }

  private async exchangeOnce(command: CcidCommand): Promise<CcidAnswer> {
    this.assertPresent();
    const seq = this.takeSeq();
    const message = command.build(seq);
    const answerType = answerCodeOf(message[0]!);
    if (answerType === undefined) throw new RangeError(`${hexLiteral(message[0]!)} is not a CCID command`);
    this.observer.trace?.({ direction: 'out', bytes: message });
    await this.guard(() => this.transport.bulkOut(message));
    let timeoutMs = command.timeoutMs;
    let stale = 0;
    let extensions = 0;
    for (;;) {
      let answer: CcidAnswer;
      try {
        answer = await this.readAnswer(timeoutMs);
      } catch (error) {
        if (error instanceof UsbTransferError && error.failure === 'timeout') {
          const aborted = await this.abort(command.slot);
          throw new CcidError(
            'reader-timeout',
            `The reader did not answer within ${timeoutMs} ms${stale > 0 ? ` (it sent ${stale} answer(s) with a wrong bSeq)` : ''}; ${aborted}.`,
            'Check the reader (unplug and replug it if this repeats); a card that needs longer may be faulty.',
          );
        }
        throw error;
      }
      if (answer.seq !== seq || answer.slot !== command.slot) {
        this.observer.staleAnswer?.(seq, answer);
        if (++stale > MAX_STALE_ANSWERS) {
          throw new CcidError(
            'protocol-violation',
            `The reader sent ${stale} answers for other commands (bSeq ${answer.seq}, expected ${seq}).`,
            'Unplug and replug the reader.',
          );
        }
        continue;
      }
      if (answer.status.commandStatus === 'time-extension') {
        if (++extensions > MAX_TIME_EXTENSIONS) {
          throw new CcidError('card-mute', `The card asked for ${extensions} time extensions.`, 'Remove the card and insert it again.');
        }
        const multiplier = Math.max(1, answer.status.bError);
        this.observer.timeExtension?.(command.slot, multiplier);
        timeoutMs = command.extendedTimeoutMs?.(multiplier) ?? command.timeoutMs * multiplier;
        continue;
      }
      if (answer.messageType !== answerType) {
        throw new CcidError(
          'protocol-violation',
          `The reader answered with message type ${hexLiteral(answer.messageType)} where ${hexLiteral(answerType)} was due.`,
          'Unplug and replug the reader; if it repeats, the reader does not follow the CCID specification.',
        );
      }
      return answer;
    }
  }

  /** One message, rebuilt from as many bulk IN transfers as dwLength needs. */
  private async readAnswer(timeoutMs: number): Promise<CcidAnswer> {
    const chunkLength = Math.max(this.maxMessageLength, CCID_HEADER_LENGTH + 258);
    let bytes: Uint8Array = new Uint8Array(0);
    for (let reads = 1; ; reads++) {
      const more = await this.guard(() => this.transport.bulkIn(chunkLength, timeoutMs));
      bytes = bytes.length === 0 ? more : join(bytes, more);
      if (bytes.length >= CCID_HEADER_LENGTH) {
        const declared = dwLengthOf(bytes);
        if (declared > CCID_MAX_DATA_LENGTH) {
          throw new CcidError('protocol-violation', `The reader announced a ${declared}-byte message.`, 'Unplug and replug the reader.');
        }
        if (bytes.length >= CCID_HEADER_LENGTH + declared) break;
      }
      // A stray zero-length packet, or a message split over transfers: keep reading, within reason.
      if (reads > MAX_READS_PER_MESSAGE) {
        throw new CcidError(
          'protocol-violation',
          `A reader message did not complete after ${reads} transfers.`,
          'Unplug and replug the reader.',
        );
      }
    }
    this.observer.trace?.({ direction: 'in', bytes });
    const length = dwLengthOf(bytes);
    const message = bytes.subarray(0, Math.min(bytes.length, CCID_HEADER_LENGTH + length));
    return {
      bytes: message,
      messageType: message[0]!,
      slot: message[5]!,
      seq: message[6]!,
      status: decodeSlotStatus(message[7]!, message[8]!),
      byte9: message[9]!,
      data: message.subarray(CCID_HEADER_LENGTH),
    };
  }

  /**
   * CCID §5.3.1: ABORT class request, then PC_to_RDR_Abort with the same bSeq and bSlot, then
   * read until the Abort's own SlotStatus (the aborted command's late answer is dropped).
   * Best effort: returns a phrase saying how it went.
   */
  private async abort(slot: number): Promise<string> {
    if (this.gone) return 'the device is gone';
    const seq = this.takeSeq();
    try {
      await this.sendAbort(slot, seq);
      for (let i = 0; i < MAX_STALE_ANSWERS; i++) {
        const answer = await this.readAnswer(ABORT_TIMEOUT_MS);
        if (answer.seq === seq && answer.messageType === CCID_MESSAGE_CODE.RDR_to_PC_SlotStatus) return 'the command was aborted';
      }
      return 'the reader did not confirm the abort';
    } catch (error) {
      if (error instanceof UsbTransferError && error.failure === 'disconnected') this.markGone(error.message);
      return `the abort failed too (${error instanceof Error ? error.message : String(error)})`;
    }
  }

  private assertPresent(): void {
    if (this.gone) throw goneError(this.gone);
  }

  /** Maps a vanished device to a CcidError once, and remembers it. */
  /** The two halves of a CCID abort (§5.3.1): the ABORT class request, then PC_to_RDR_Abort with the same slot and bSeq. */
  private async sendAbort(slot: number, seq: number): Promise<void> {
    this.observer.trace?.({ direction: 'control', request: `ABORT slot ${slot} seq ${seq}` });
    await this.transport.controlOut(
      {
        bmRequestType: CLASS_INTERFACE_OUT,
        bRequest: CCID_CLASS_REQUEST.ABORT,
        wValue: (seq << 8) | slot,
        wIndex: this.transport.info.interfaceNumber,
      },
      new Uint8Array(0),
      ABORT_TIMEOUT_MS,
    );
    const message = encodeAbort({ slot, seq });
    this.observer.trace?.({ direction: 'out', bytes: message });
    await this.transport.bulkOut(message);
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof UsbTransferError && (error.failure === 'disconnected' || error.failure === 'cancelled')) {
        this.markGone(error.message);
        throw goneError(error.message);
      }
      if (error instanceof UsbTransferError && error.failure !== 'timeout') {
        throw new CcidError('usb-error', `USB transfer failed (${error.failure}): ${error.message}.`, 'Unplug and replug the reader.');
      }
      throw error;
    }
  }
}

export function goneError(reason: string): CcidError {
  return new CcidError('device-gone', `The reader is gone (${reason}).`, 'Plug it in again; Cardbench finds it again by itself.');
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
