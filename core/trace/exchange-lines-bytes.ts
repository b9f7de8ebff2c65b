/**
 * The transcript's three lines per exchange (TraceExchangeLines' text) written straight into
 * TextBlocks as UTF-8, from the exchange's bytes, for `decode --text`: three template strings,
 * the hex of whole APDUs and the encoding of it all cost the printing thread more than the rest
 * of a large transcript. Names and meanings are remembered as bytes; the duration is written from
 * integer microseconds. Each line starts with its newline (the transcript's lines follow its
 * heading). A test holds the text to TraceExchangeLines' on every real capture.
 */
import { SelectedApplications } from '../apps/selected-applications.js';
import { byteHex } from '../bytes/hex.js';
import { digitCount, rememberedUtf8, TextBlocks, utf8 } from './text-blocks.js';
import type { TraceRawExchange } from './trace-decoder.js';
import { NameMemo } from './trace-transactions.js';

/** Bytes of an APDU shown before it is cut (TraceExchangeLines' SHOWN_BYTES). */
const SHOWN_BYTES = 48;
const DIGIT_0 = 48;
const SPACE = 32;
const LINE_START = utf8('\n  ');
const BEFORE_FRAME = utf8('  #');
const MS = utf8(' ms  ');
const TRUNCATED = utf8('  [truncated]');
const COMMAND = utf8('\n         C: ');
const RESPONSE = utf8('\n         R: ');
const CUT = utf8('… (');
const BYTES_CLOSE = utf8(' bytes)');
const OPEN = utf8('  (');
const NO_SW = utf8('----');
const COLON = utf8(': ');
const CLOSE = utf8(')');
const SHORT_APDU = utf8('short APDU');
const NO_STATUS_WORD = utf8('no status word');
/** Durations (µs) written from integers below this: toFixed's digits are certain to agree there. */
const MAX_INTEGER_MICROS = 1e12;

interface Conversation {
  device: string;
  slot: number;
  apps: SelectedApplications;
  /** `${device} slot ${slot}  ` */
  label: Uint8Array;
}

export class ExchangeLineWriter {
  private readonly conversations = new Map<string, Conversation>();
  private last: Conversation | undefined;
  private readonly names = new NameMemo();
  private readonly texts = new Map<string, Uint8Array>();

  constructor(private readonly out: TextBlocks) {}

  /** An exchange's three lines (each after a newline), its bytes shown as captured. */
  add(e: TraceRawExchange): void {
    const out = this.out;
    const { command, response } = e;
    const conversation = this.conversationOf(e.device, e.slot);
    const n = response.length;
    const sw1 = n >= 2 ? response[n - 2]! : undefined;
    const sw2 = n >= 2 ? response[n - 1]! : undefined;
    const cla = command[0];
    const ins = command[1];
    const apps = conversation.apps;

    out.bytes(LINE_START);
    this.padded(e.index, 5);
    out.bytes(BEFORE_FRAME);
    out.number(e.commandFrame);
    out.bytes(SPACE_BYTES);
    out.bytes(conversation.label);
    this.duration(e.responseEndNs - e.commandTimeNs);
    out.bytes(MS);
    if (cla !== undefined && ins !== undefined)
      out.bytes(this.text(this.names.ins(cla, ins, apps.contextFor(cla)) ?? `INS ${byteHex(ins)}`));
    else out.bytes(SHORT_APDU);
    if (e.truncated) out.bytes(TRUNCATED);

    out.bytes(COMMAND);
    this.shortHex(command);
    out.bytes(RESPONSE);
    this.shortHex(response);
    out.bytes(OPEN);
    if (sw1 !== undefined && sw2 !== undefined) {
      out.hexByte(sw1);
      out.hexByte(sw2);
      out.bytes(COLON);
      out.bytes(this.text(this.names.status(command, sw1, sw2)));
    } else {
      out.bytes(NO_SW);
      out.bytes(COLON);
      out.bytes(NO_STATUS_WORD);
    }
    out.bytes(CLOSE);
    apps.observe(command, sw1);
  }

  private conversationOf(device: string, slot: number): Conversation {
    const last = this.last;
    if (last !== undefined && last.device === device && last.slot === slot) return last;
    const key = `${device}/${slot}`;
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = { device, slot, apps: new SelectedApplications(), label: utf8(`${device} slot ${slot}  `) };
      this.conversations.set(key, conversation);
    }
    this.last = conversation;
    return conversation;
  }

  /** `String(value).padStart(width)` for a non-negative integer. */
  private padded(value: number, width: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      this.out.text(String(value).padStart(width));
      return;
    }
    for (let i = digitCount(value); i < width; i++) this.out.bytes(SPACE_BYTES);
    this.out.number(value);
  }

  /** `durationMs.toFixed(3)` of exchangeDurationMs: from the rounded microseconds, digit by digit. */
  private duration(ns: number): void {
    const micros = Math.round(ns / 1000);
    if (!Number.isSafeInteger(micros) || Math.abs(micros) >= MAX_INTEGER_MICROS) {
      this.out.text((micros / 1000).toFixed(3));
      return;
    }
    // toFixed writes no sign for zero, -0 included.
    if (micros < 0) this.out.bytes(MINUS);
    const magnitude = Math.abs(micros);
    const fraction = magnitude % 1000;
    this.out.number((magnitude - fraction) / 1000);
    const block = this.out.reserve(4);
    const at = this.out.position;
    block[at] = 46;
    block[at + 1] = DIGIT_0 + Math.floor(fraction / 100);
    block[at + 2] = DIGIT_0 + (Math.floor(fraction / 10) % 10);
    block[at + 3] = DIGIT_0 + (fraction % 10);
    this.out.moveTo(at + 4);
  }

  /** The hex of an APDU, cut after SHOWN_BYTES with its length said. */
  private shortHex(bytes: Uint8Array): void {
    if (bytes.length <= SHOWN_BYTES) {
      this.out.hex(bytes);
      return;
    }
    this.out.hex(bytes.subarray(0, SHOWN_BYTES));
    this.out.bytes(CUT);
    this.out.number(bytes.length);
    this.out.bytes(BYTES_CLOSE);
  }

  /** A name or meaning as bytes, remembered. */
  private text(value: string): Uint8Array {
    return rememberedUtf8(this.texts, value, () => value);
  }
}

const SPACE_BYTES = new Uint8Array([SPACE]);
const MINUS = utf8('-');
