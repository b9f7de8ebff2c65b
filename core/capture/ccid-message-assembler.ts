/**
 * Rebuilds whole CCID messages from the bulk transfers of one direction of one device: a message
 * is 10 + dwLength bytes, and transfers are appended until that many went over the bus. A message
 * that never completes (a zero-length packet, or a new message starting) is delivered as it is,
 * marked incomplete; one beyond the device's limit is not buffered at all (its first transfer is
 * delivered and the stream resynchronises on the next header); bytes the capture did not keep
 * (snapshot length) are marked truncated.
 */
import { ByteSlab } from '../bytes/byte-slab.js';
import { CCID_MAX_MESSAGE_LENGTH } from '../ccid/class-descriptor.js';
import { CCID_HEADER_LENGTH, dwLengthOf, messageCodesOn } from '../ccid/message-types.js';
import type { Problem } from '../dissect/node.js';
import type { CcidDirection, CcidEndpoints, CcidFrame } from './ccid-stream.js';
import type { TransferSlice } from './usb-transfers.js';

/** A transfer that is a complete, plausible message by itself (used to spot a lost tail). */
function isWholeMessage(data: Uint8Array, direction: CcidDirection): boolean {
  if (data.length < CCID_HEADER_LENGTH) return false;
  const types = messageCodesOn(direction === 'out' ? 'bulk-out' : 'bulk-in');
  return types.has(data[0]!) && data[5]! <= 15 && CCID_HEADER_LENGTH + dwLengthOf(data) === data.length;
}

/** Rebuilds the messages of one direction of one device. */
export class CcidMessageAssembler {
  private buffer: Uint8Array | undefined;
  private filled = 0;
  private received = 0;
  private expected = 0;
  private gap = false;
  private frames: number[] = [];
  private firstTime = 0;
  private lastTime = 0;
  private endpoint = 0;
  private problems: Problem[] = [];

  /**
   * @param slab where message copies are made (shared by a capture's assemblers: see ByteSlab)
   */
  constructor(
    private readonly endpoints: CcidEndpoints,
    private readonly direction: CcidDirection,
    private readonly emit: (frame: CcidFrame) => void,
    private readonly slab: ByteSlab = new ByteSlab(),
  ) {}

  add(t: TransferSlice): void {
    const data = t.data;
    if (!this.buffer) {
      // A zero-length packet between messages ends a transfer that filled whole packets.
      if (t.originalLength === 0) return;
      this.start(t);
      return;
    }
    if (t.originalLength === 0) {
      this.flush('the transfer ended (zero-length packet) before dwLength bytes arrived');
      return;
    }
    if (isWholeMessage(data, this.direction)) {
      this.flush('a new message started before dwLength bytes arrived');
      this.start(t);
      return;
    }
    this.append(t);
  }

  /** Emits the message in progress as it is, marked incomplete. */
  flush(reason: string): void {
    if (!this.buffer) return;
    this.problems.push({ code: 'incomplete', message: `${reason} (${this.received} of ${this.expected} bytes)`, severity: 'error' });
    this.finish();
  }

  private start(t: TransferSlice): void {
    const data = t.data;
    this.frames = [t.frame];
    this.firstTime = this.lastTime = t.timeNs;
    this.endpoint = t.endpoint;
    this.problems = [];
    if (data.length < CCID_HEADER_LENGTH) {
      const cut = t.truncated && t.originalLength >= CCID_HEADER_LENGTH;
      this.problems.push({
        code: cut ? 'truncated' : 'short-message',
        message: cut ? 'CCID header not captured (snapshot length)' : `${t.originalLength} byte(s), shorter than a CCID header`,
        severity: 'error',
      });
      this.deliver(this.slab.copy(data), undefined, t.truncated);
      return;
    }
    const dwLength = dwLengthOf(data);
    const expected = CCID_HEADER_LENGTH + dwLength;
    const cap = this.endpoints.maxMessageLength;
    if (expected > cap) {
      const whole = t.originalLength === expected;
      const why =
        expected > CCID_MAX_MESSAGE_LENGTH
          ? `dwLength ${dwLength} exceeds the CCID maximum (${CCID_MAX_MESSAGE_LENGTH - CCID_HEADER_LENGTH} data bytes)`
          : `dwLength announces ${expected} bytes, beyond the ${cap}-byte limit`;
      this.problems.push({
        code: 'length-beyond-limit',
        message: `${why}${whole ? '' : '; resynchronising'}`,
        severity: whole ? 'warning' : 'error',
      });
      this.deliver(this.slab.copy(data), expected, t.truncated);
      return;
    }
    if (t.originalLength >= expected) {
      if (t.originalLength > expected) {
        this.problems.push({
          code: 'trailing-bytes',
          message: `${t.originalLength - expected} byte(s) after the ${expected}-byte message`,
          severity: 'warning',
        });
      }
      this.deliver(this.slab.copy(data), expected, t.truncated);
      return;
    }
    this.buffer = this.slab.alloc(expected);
    this.buffer.set(data, 0);
    this.filled = data.length;
    this.received = t.originalLength;
    this.expected = expected;
    this.gap = t.truncated;
  }

  private append(t: TransferSlice): void {
    const buffer = this.buffer!;
    const room = this.expected - this.received;
    if (!this.gap) {
      const take = Math.min(t.data.length, room);
      buffer.set(t.data.subarray(0, take), this.filled);
      this.filled += take;
    }
    if (t.truncated) this.gap = true;
    if (t.originalLength > room) {
      this.problems.push({
        code: 'trailing-bytes',
        message: `${t.originalLength - room} byte(s) beyond dwLength in frame ${t.frame}, dropped`,
        severity: 'warning',
      });
    }
    this.received += Math.min(t.originalLength, room);
    this.frames.push(t.frame);
    this.lastTime = t.timeNs;
    if (this.received >= this.expected) this.finish();
  }

  private finish(): void {
    const buffer = this.buffer!;
    const bytes = this.filled === buffer.length ? buffer : buffer.subarray(0, this.filled);
    const truncated = this.gap;
    const expected = this.expected;
    this.buffer = undefined;
    this.deliver(bytes, expected, truncated);
  }

  private deliver(bytes: Uint8Array, expected: number | undefined, truncated: boolean): void {
    if (truncated && !this.problems.some((p) => p.code === 'truncated')) {
      this.problems.push({ code: 'truncated', message: 'part of the message was not captured (snapshot length)', severity: 'warning' });
    }
    this.emit({
      device: this.endpoints.device,
      direction: this.direction,
      channel: 'bulk',
      endpoint: this.endpoint,
      frames: this.frames,
      firstFrame: this.frames[0]!,
      lastFrame: this.frames[this.frames.length - 1]!,
      timeNs: this.firstTime,
      endTimeNs: this.lastTime,
      bytes,
      expectedLength: expected,
      truncated,
      problems: this.problems,
      detection: this.endpoints.detection,
    });
    this.frames = [];
    this.problems = [];
  }
}
