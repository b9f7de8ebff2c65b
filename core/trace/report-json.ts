/**
 * `cardbench decode --json` written while the capture is decoded: each exchange and transaction
 * becomes its text as it comes, and the report around them (file, devices, ATRs, events,
 * problems…, known only at the end) is written last around those texts. The result is byte for
 * byte `JSON.stringify(report, null, 2)` of the report decodeTraceBytes gives (of redactPins'
 * copy with redaction), without ever holding the report's objects or one string of its size.
 *
 * The exchange and transaction layouts are written by hand, as bytes, for speed (a generic
 * stringify per object costs several times more, and its strings are garbage to collect); a test
 * compares the whole text with JSON.stringify on every real capture.
 */
import { toHex } from '../bytes/hex.js';
import { redactedCommandHex } from '../iso7816/pin-redaction.js';
import { exchangeDurationMs, exchangeTimeMs, type TraceRawExchange } from './trace-decoder.js';
import { SecretExchanges, redactPins } from './redact-report.js';
import { TextBlocks, utf8 } from './text-blocks.js';
import type { TraceReport, TraceTransaction } from './trace-report.js';
import { OrderedTransactions } from './trace-transactions.js';

// The literal parts of an exchange and a transaction as JSON.stringify(report, null, 2) lays them out.
const FIRST_ITEM = utf8('[\n');
const NEXT_ITEM = utf8(',\n');
const END_ITEMS = utf8('\n  ]');
const NULL = utf8('null');
const TRUE = utf8('true');
const FALSE = utf8('false');
/**
 * An exchange's JSON, each member on a line of its own after `space` (empty: all on one line, as
 * JSON.stringify(e) writes it). Keys and punctuation are literals fused as far as the values
 * between them allow (the device with the keys around it, remembered per device), so an exchange
 * is ten literals and its values.
 */
class ExchangeJson {
  private readonly start: Uint8Array;
  private readonly firstItem: Uint8Array;
  private readonly nextItem: Uint8Array;
  private readonly deviceKey: string;
  private readonly slotKey: string;
  private readonly command: Uint8Array;
  private readonly response: Uint8Array;
  private readonly swOpen: Uint8Array;
  private readonly swNull: Uint8Array;
  private readonly swCloseFrame: Uint8Array;
  private readonly commandFrame: Uint8Array;
  private readonly responseFrame: Uint8Array;
  private readonly timeMs: Uint8Array;
  private readonly durationMs: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly complete: Uint8Array;
  private readonly devices = new Map<string, Uint8Array>();

  constructor(open: string, space: string, close: string) {
    const colon = space === '' ? ':' : ': ';
    const key = (name: string) => `,${space}"${name}"${colon}`;
    const start = `${open}{${space}"index"${colon}`;
    this.start = utf8(start);
    this.firstItem = utf8(`[\n${start}`);
    this.nextItem = utf8(`,\n${start}`);
    this.deviceKey = key('device');
    this.slotKey = key('slot');
    this.command = utf8(`${key('command')}"`);
    this.response = utf8(`"${key('response')}"`);
    this.swOpen = utf8(`"${key('sw')}"`);
    this.swNull = utf8(`"${key('sw')}null`);
    this.swCloseFrame = utf8(`"${key('commandFrame')}`);
    this.commandFrame = utf8(key('commandFrame'));
    this.responseFrame = utf8(key('responseFrame'));
    this.timeMs = utf8(key('timeMs'));
    this.durationMs = utf8(key('durationMs'));
    this.truncated = utf8(`${key('truncated')}true${close}`);
    this.complete = utf8(`${key('truncated')}false${close}`);
  }

  /**
   * One exchange (TraceExchange's members in its order).
   *
   * @param item 'first' or 'next' for an element of an array (the separator goes before it), 'alone' for a line of its own
   * @param maskedCommand the command's text when it is shown masked, else its hex is written
   */
  write(
    out: TextBlocks,
    item: 'first' | 'next' | 'alone',
    raw: TraceRawExchange,
    maskedCommand: string | undefined,
    timeMs: number,
    durationMs: number,
  ): void {
    const response = raw.response;
    out.bytes(item === 'next' ? this.nextItem : item === 'first' ? this.firstItem : this.start);
    out.number(raw.index);
    out.bytes(this.deviceAndSlotKey(raw.device));
    out.number(raw.slot);
    out.bytes(this.command);
    if (maskedCommand !== undefined) out.text(maskedCommand);
    else out.hex(raw.command);
    out.bytes(this.response);
    out.hex(response);
    if (response.length >= 2) {
      out.bytes(this.swOpen);
      out.hexByte(response[response.length - 2]!);
      out.hexByte(response[response.length - 1]!);
      out.bytes(this.swCloseFrame);
    } else {
      out.bytes(this.swNull);
      out.bytes(this.commandFrame);
    }
    out.number(raw.commandFrame);
    out.bytes(this.responseFrame);
    out.number(raw.responseFrame);
    out.bytes(this.timeMs);
    out.millis(timeMs);
    out.bytes(this.durationMs);
    out.millis(durationMs);
    out.bytes(raw.truncated ? this.truncated : this.complete);
  }

  /** `,"device": "…","slot": ` in this layout, remembered per device. */
  private deviceAndSlotKey(device: string): Uint8Array {
    let bytes = this.devices.get(device);
    if (!bytes) {
      if (this.devices.size >= MAX_CACHED_STRINGS) this.devices.clear();
      this.devices.set(device, (bytes = utf8(`${this.deviceKey}${JSON.stringify(device)}${this.slotKey}`)));
    }
    return bytes;
  }
}

/** An element of the report's "exchanges" array (JSON.stringify(report, null, 2)'s indentation). */
const EXCHANGE_JSON = new ExchangeJson('    ', '\n      ', '\n    }');
const TRANSACTION_KEYS = {
  exchanges: utf8('    {\n      "exchanges": [\n        '),
  nextExchange: utf8(',\n        '),
  device: utf8('\n      ],\n      "device": '),
  slot: utf8(',\n      "slot": '),
  command: utf8(',\n      "command": '),
  name: utf8(',\n      "name": '),
  dataLength: utf8(',\n      "dataLength": '),
  sw: utf8(',\n      "sw": '),
  meaning: utf8(',\n      "meaning": '),
  durationMs: utf8(',\n      "durationMs": '),
  folded: utf8(',\n      "folded": '),
  problems: utf8(',\n      "problems": '),
  end: utf8('\n    }'),
};

/** Distinct strings (device names, INS names, status meanings) remembered as JSON before starting over. */
const MAX_CACHED_STRINGS = 4096;

/**
 * The report's JSON text written as the exchanges come (give them in capture order, as the
 * decoder's rawExchange handler does), then finished around the report the decoder ends with.
 * Exchanges and transactions are written as UTF-8 bytes straight from the decoded bytes and
 * numbers (TextBlocks): no string or object per field.
 */
export class TraceJsonWriter {
  private readonly secrets = new SecretExchanges();
  private readonly transactions = new OrderedTransactions();
  private readonly exchangeText = new TextBlocks();
  private readonly transactionText = new TextBlocks();
  private readonly jsonStrings = new Map<string, Uint8Array>();
  private exchangeCount = 0;
  private transactionCount = 0;

  constructor(private readonly options: { redactPins: boolean }) {}

  /** Bytes of text held so far, to bound what a hostile capture can make it hold. */
  get heldLength(): number {
    return this.exchangeText.length + this.transactionText.length;
  }

  exchange(raw: TraceRawExchange): void {
    const { command, response } = raw;
    // Which commands carry secrets matters only to a redacted report.
    const secret = this.options.redactPins ? this.secrets.classifyCommand(raw.index, raw.device, raw.slot, command) : undefined;
    const timeMs = exchangeTimeMs(raw);
    const durationMs = exchangeDurationMs(raw);
    // As redactPins shows it: the data of a secret command masked (core/iso7816/pin-redaction).
    const masked = secret ? redactedCommandHex(command, secret) : undefined;
    EXCHANGE_JSON.write(this.exchangeText, this.exchangeCount++ === 0 ? 'first' : 'next', raw, masked, timeMs, durationMs);
    const folded = { index: raw.index, device: raw.device, slot: raw.slot, command: toHex(command), timeMs, durationMs };
    for (const t of this.transactions.add(folded, command, response)) this.transaction(t);
  }

  /**
   * The whole text, in pieces to write in order (strings and UTF-8 bytes).
   *
   * @param report the decoder's report without its exchanges and transactions (those given here)
   */
  finish(report: TraceReport): (string | Uint8Array)[] {
    for (const t of this.transactions.finish()) this.transaction(t);
    const frame = { ...report, exchanges: [], transactions: [] };
    const shown = this.options.redactPins ? redactPins(frame) : frame;
    const text = JSON.stringify(shown, null, 2);
    const exchangesAt = text.indexOf(EXCHANGES);
    const transactionsAt = text.indexOf(TRANSACTIONS, exchangesAt);
    return [
      text.slice(0, exchangesAt + EXCHANGES.length - 2),
      ...closed(this.exchangeText, this.exchangeCount),
      text.slice(exchangesAt + EXCHANGES.length, transactionsAt + TRANSACTIONS.length - 2),
      ...closed(this.transactionText, this.transactionCount),
      text.slice(transactionsAt + TRANSACTIONS.length),
    ];
  }

  private transaction(transaction: TraceTransaction): void {
    const t = this.options.redactPins ? this.secrets.redactedTransaction(transaction) : transaction;
    const out = this.transactionText;
    const k = TRANSACTION_KEYS;
    out.bytes(this.transactionCount++ === 0 ? FIRST_ITEM : NEXT_ITEM);
    out.bytes(k.exchanges);
    t.exchanges.forEach((index, i) => {
      if (i > 0) out.bytes(k.nextExchange);
      out.number(index);
    });
    out.bytes(k.device);
    out.bytes(this.json(t.device));
    out.bytes(k.slot);
    out.number(t.slot);
    out.bytes(k.command);
    out.text(JSON.stringify(t.command));
    out.bytes(k.name);
    out.bytes(t.name === null ? NULL : this.json(t.name));
    out.bytes(k.dataLength);
    out.number(t.dataLength);
    out.bytes(k.sw);
    out.bytes(t.sw === null ? NULL : this.json(t.sw));
    out.bytes(k.meaning);
    out.bytes(t.meaning === null ? NULL : this.json(t.meaning));
    out.bytes(k.durationMs);
    out.millis(t.durationMs);
    out.bytes(k.folded);
    out.bytes(t.folded ? TRUE : FALSE);
    out.bytes(k.problems);
    out.text(t.problems.length === 0 ? '[]' : JSON.stringify(t.problems, null, 2).replaceAll('\n', '\n      '));
    out.bytes(k.end);
  }

  /** A string as JSON, in UTF-8, remembered: the same few device names, INS names and meanings come back all the time. */
  private json(value: string): Uint8Array {
    let bytes = this.jsonStrings.get(value);
    if (!bytes) {
      if (this.jsonStrings.size >= MAX_CACHED_STRINGS) this.jsonStrings.clear();
      bytes = utf8(JSON.stringify(value));
      this.jsonStrings.set(value, bytes);
    }
    return bytes;
  }
}

/**
 * `decode --ndjson`: each exchange as one line of JSON (JSON.stringify of the report's form,
 * masked as redactPins masks it when asked), written as bytes; take() hands over what was written.
 * Nothing is kept per exchange: memory stays flat however long the capture.
 */
export class TraceNdjsonWriter {
  private readonly secrets = new SecretExchanges({ remember: false });
  private readonly out: TextBlocks;
  private readonly lines = new ExchangeJson('', '', '}\n');

  /** @param newBlock where the blocks lines are written in come from (default: new ones; see TextBlocks) */
  constructor(
    private readonly options: { redactPins: boolean },
    newBlock?: (size: number) => Uint8Array,
  ) {
    this.out = new TextBlocks(NDJSON_BLOCK, newBlock);
  }

  exchange(raw: TraceRawExchange): void {
    // Which commands carry secrets matters only when they are masked.
    const secret = this.options.redactPins ? this.secrets.classifyCommand(raw.index, raw.device, raw.slot, raw.command) : undefined;
    const masked = secret ? redactedCommandHex(raw.command, secret) : undefined;
    this.lines.write(this.out, 'alone', raw, masked, exchangeTimeMs(raw), exchangeDurationMs(raw));
  }

  /** The lines written since the last take. */
  take(): Uint8Array[] {
    return this.out.take();
  }
}

/** Block size of the --ndjson writer: a batch's lines fill one or two. */
export const NDJSON_BLOCK = 256 * 1024;

/** An array's items as written, closed: `[]` when there are none. */
function closed(text: TextBlocks, count: number): Uint8Array[] {
  if (count === 0) return [utf8('[]')];
  return [...text.take(), END_ITEMS];
}

/** The two arrays as an empty report lays them out (a raw newline only occurs between members). */
const EXCHANGES = '\n  "exchanges": []';
const TRANSACTIONS = '\n  "transactions": []';
