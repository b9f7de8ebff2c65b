/**
 * The transcript's line for a CCID message (traceMessageLine) written straight into TextBlocks
 * as UTF-8, for `decode --text`, which writes one per message — a million on a 1 GB capture. The
 * string form builds and pads four strings per line and formats the time through toFixed; here
 * the time is written from integer nanoseconds, the frame digit by digit, and the padded device
 * column and arrows are bytes made once. A property test holds it to traceMessageLine's text.
 */
import { decodeUtf8 } from '../capture/text-decode.js';
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE, dwLengthOf } from '../ccid/message-types.js';
import { headerOnlySummary } from './ccid-pairing-fields.js';
import { digitCount, rememberedUtf8, TextBlocks, utf8 } from './text-blocks.js';
import { traceMessageLine, type TraceMessageLineFields } from './trace-text.js';

const SPACE = 32;
const DIGIT_0 = 48;
/** `  #` between the time and the frame. */
const BEFORE_FRAME = utf8('  #');
const ARROWS = { out: utf8('  ->  '), in: utf8('  <-  '), interrupt: utf8('  <!  ') } as const;
const NEWLINE = utf8('\n');
const XFR_BLOCK = CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock;
const DATA_BLOCK = CCID_MESSAGE_CODE.RDR_to_PC_DataBlock;
const XFR_BLOCK_SLOT = utf8('PC_to_RDR_XfrBlock slot ');
const DATA_BLOCK_SLOT = utf8('RDR_to_PC_DataBlock slot ');
const SEQ = utf8(' seq ');
const COMMA = utf8(', ');
const BYTE = utf8(' byte');
const BYTES = utf8(' bytes');
/** The slot column of an interrupt message (no slot). */
const NO_SLOT = utf8('      ');
/** Times below this (ns, ~11.6 days) are written from integers; toFixed's rounding is certain to agree there. */
const INTEGER_TIME_LIMIT = 1e15;

export class MessageLineWriter {
  private readonly devices = new Map<string, Uint8Array>();
  private readonly slots = new Map<number, Uint8Array>();

  constructor(private readonly out: TextBlocks) {}

  /** One message's line and its newline. */
  line(m: TraceMessageLineFields): void {
    if (this.prefix(m.timeNs, m.frame, m.device, m.slot, m.direction)) this.out.text(m.summary);
    else this.out.text(traceMessageLine(m));
    this.out.bytes(NEWLINE);
  }

  /**
   * line() for a message whose summary comes as UTF-8 bytes (a decode worker writes the
   * summaries, the thread that prints lays out the lines).
   */
  lineWithSummary(
    timeNs: number,
    frame: number,
    device: string,
    slot: number | undefined,
    direction: TraceMessageLineFields['direction'],
    summary: Uint8Array,
  ): void {
    if (this.prefix(timeNs, frame, device, slot, direction)) this.out.bytes(summary);
    else this.out.text(traceMessageLine({ timeNs, frame, device, slot, direction, summary: decodeUtf8(summary) }));
    this.out.bytes(NEWLINE);
  }

  /**
   * line() for a message read from its header alone, whose summary (headerOnlySummary) is made
   * here from those 10 bytes: written as bytes for the usual XfrBlock and DataBlock (processed,
   * card active), through the string form otherwise.
   */
  lineWithHeader(
    timeNs: number,
    frame: number,
    device: string,
    slot: number | undefined,
    direction: TraceMessageLineFields['direction'],
    header: Uint8Array,
  ): void {
    const plain =
      header.length >= CCID_HEADER_LENGTH &&
      (header[0] === XFR_BLOCK ? direction === 'out' : header[0] === DATA_BLOCK && direction === 'in' && header[7] === 0);
    if (!plain || !this.prefix(timeNs, frame, device, slot, direction)) {
      this.line({ timeNs, frame, device, slot, direction, summary: headerOnlySummary(header, direction) ?? '' });
      return;
    }
    const out = this.out;
    // ccidBodySummary of a clean message: "<name> slot S seq N, L byte(s)".
    out.bytes(header[0] === XFR_BLOCK ? XFR_BLOCK_SLOT : DATA_BLOCK_SLOT);
    out.number(header[5]!);
    out.bytes(SEQ);
    out.number(header[6]!);
    out.bytes(COMMA);
    const length = dwLengthOf(header);
    out.number(length);
    out.bytes(length === 1 ? BYTE : BYTES);
    out.bytes(NEWLINE);
  }

  /** Everything before the summary; false, with nothing written, for a time only the string form formats right. */
  private prefix(
    timeNs: number,
    frame: number,
    device: string,
    slot: number | undefined,
    direction: TraceMessageLineFields['direction'],
  ): boolean {
    if (!this.time(timeNs)) return false;
    const out = this.out;
    out.bytes(BEFORE_FRAME);
    this.frame(frame);
    out.bytes(this.device(device));
    out.bytes(slot === undefined ? NO_SLOT : this.slot(slot));
    out.bytes(ARROWS[direction]);
    return true;
  }

  /**
   * `(timeNs / 1e9).toFixed(6).padStart(12)` from the integer: the same digits whenever timeNs is
   * a whole, non-negative number of nanoseconds below INTEGER_TIME_LIMIT that is not exactly
   * half a microsecond past one (where toFixed's answer depends on the double's last bit).
   * Returns false, writing nothing, otherwise.
   */
  private time(timeNs: number): boolean {
    if (!Number.isSafeInteger(timeNs) || timeNs < 0 || timeNs >= INTEGER_TIME_LIMIT) return false;
    const rest = timeNs % 1000;
    if (rest === 500) return false;
    const micros = (timeNs - rest) / 1000 + (rest > 500 ? 1 : 0);
    let fraction = micros % 1_000_000;
    let seconds = (micros - fraction) / 1_000_000;
    // "S.FFFFFF" padded on the left to 12, written from its last digit back.
    const width = Math.max(12, digitCount(seconds) + 7);
    const block = this.out.reserve(width);
    const start = this.out.position;
    let at = start + width;
    for (let i = 0; i < 6; i++) {
      block[--at] = DIGIT_0 + (fraction % 10);
      fraction = Math.floor(fraction / 10);
    }
    block[--at] = DOT;
    do {
      block[--at] = DIGIT_0 + (seconds % 10);
      seconds = Math.floor(seconds / 10);
    } while (seconds > 0);
    while (at > start) block[--at] = SPACE;
    this.out.moveTo(start + width);
    return true;
  }

  /** The frame number padded on the right to 7, and the space after it. */
  private frame(frame: number): void {
    if (!Number.isSafeInteger(frame) || frame < 0) {
      this.out.text(`${String(frame).padEnd(7)} `);
      return;
    }
    const digits = digitCount(frame);
    const width = Math.max(digits, 7) + 1;
    const block = this.out.reserve(width);
    const start = this.out.position;
    let at = start + digits;
    let rest = frame;
    do {
      block[--at] = DIGIT_0 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    for (let i = start + digits; i < start + width; i++) block[i] = SPACE;
    this.out.moveTo(start + width);
  }

  /** The device padded on the right to 7, and the space after it. */
  private device(device: string): Uint8Array {
    return rememberedUtf8(this.devices, device, () => `${device.padEnd(7)} `);
  }

  private slot(slot: number): Uint8Array {
    return rememberedUtf8(this.slots, slot, () => `slot ${slot}`);
  }
}

const DOT = 46;
