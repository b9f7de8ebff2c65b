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
import { MAX_REMEMBERED_TEXTS, rememberedUtf8, TextBlocks, utf8 } from './text-blocks.js';
import type { TraceReport, TraceTransaction } from './trace-report.js';
import { OrderedTransactions } from './trace-transactions.js';

// The literal parts of an exchange and a transaction as JSON.stringify(report, null, 2) lays them out.
const END_ITEMS = utf8('\n  ]');
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
    return rememberedUtf8(this.devices, device, () => `${this.deviceKey}${JSON.stringify(device)}${this.slotKey}`);
  }
}

/** An element of the report's "exchanges" array (JSON.stringify(report, null, 2)'s indentation). */
const EXCHANGE_JSON = new ExchangeJson('    ', '\n      ', '\n    }');
/**
 * A transaction's literals, fused where the values between them repeat: the device with the
 * keys around it, the INS name with its, the status word with its meaning (remembered as bytes
 * under the values they hold).
 */
const TRANSACTION_KEYS = {
  first: utf8('[\n    {\n      "exchanges": [\n        '),
  next: utf8(',\n    {\n      "exchanges": [\n        '),
  nextExchange: utf8(',\n        '),
  device: '\n      ],\n      "device": ',
  slot: ',\n      "slot": ',
  command: utf8(',\n      "command": "'),
  name: '",\n      "name": ',
  dataLength: ',\n      "dataLength": ',
  sw: ',\n      "sw": ',
  meaning: ',\n      "meaning": ',
  durationMs: ',\n      "durationMs": ',
  folded: utf8(',\n      "folded": true,\n      "problems": '),
  notFolded: utf8(',\n      "folded": false,\n      "problems": '),
  noProblems: utf8('[]\n    }'),
  end: utf8('\n    }'),
};

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
  private readonly devices = new Map<string, Uint8Array>();
  private readonly names = new Map<string | null, Uint8Array>();
  private readonly statuses = new Map<string | null, Map<string | null, Uint8Array>>();
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
    out.bytes(this.transactionCount++ === 0 ? k.first : k.next);
    const exchanges = t.exchanges;
    for (let i = 0; i < exchanges.length; i++) {
      if (i > 0) out.bytes(k.nextExchange);
      out.number(exchanges[i]!);
    }
    out.bytes(this.deviceAndSlot(t.device));
    out.number(t.slot);
    out.bytes(k.command);
    // Hex, or hex masked with '*': nothing JSON escapes.
    out.text(t.command);
    out.bytes(this.nameAndLength(t.name));
    out.number(t.dataLength);
    out.bytes(this.statusAndMeaning(t.sw, t.meaning));
    out.millis(t.durationMs);
    out.bytes(t.folded ? k.folded : k.notFolded);
    if (t.problems.length === 0) {
      out.bytes(k.noProblems);
      return;
    }
    out.text(JSON.stringify(t.problems, null, 2).replaceAll('\n', '\n      '));
    out.bytes(k.end);
  }

  /** `],"device": …,"slot": ` for a device, remembered. */
  private deviceAndSlot(device: string): Uint8Array {
    return rememberedUtf8(this.devices, device, () => `${TRANSACTION_KEYS.device}${JSON.stringify(device)}${TRANSACTION_KEYS.slot}`);
  }

  /** `","name": …,"dataLength": ` for an INS name, remembered. */
  private nameAndLength(name: string | null): Uint8Array {
    return rememberedUtf8(this.names, name, () => `${TRANSACTION_KEYS.name}${JSON.stringify(name)}${TRANSACTION_KEYS.dataLength}`);
  }

  /** `,"sw": …,"meaning": …,"durationMs": ` for a status word and its meaning, remembered. */
  private statusAndMeaning(sw: string | null, meaning: string | null): Uint8Array {
    let meanings = this.statuses.get(sw);
    if (!meanings) {
      if (this.statuses.size >= MAX_REMEMBERED_TEXTS) this.statuses.clear();
      this.statuses.set(sw, (meanings = new Map()));
    }
    const k = TRANSACTION_KEYS;
    return rememberedUtf8(meanings, meaning, () => `${k.sw}${JSON.stringify(sw)}${k.meaning}${JSON.stringify(meaning)}${k.durationMs}`);
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
