/**
 * The Captures free-text filter without decoding rows. A row matches when its list line
 * (`name summary sw device`, lowercased: what the filter has always searched) contains the
 * text, or its message data holds the text as hex bytes (with or without spaces) or as ASCII,
 * or the text is its frame number. Secret data is never searched: a row whose data the list
 * masks is searched only in what the list shows.
 *
 * The list line is rebuilt from the row's columns and bytes with per-value caches (message
 * type and INS names, status word meanings) instead of core/ccid's full decode: the command
 * and answer APDU rows that make up nearly all of a capture cost a few string joins, and only
 * the other messages (power, slot status, parameters…: a few percent) are described by
 * describeRow, remembered by their bytes. `rowLine` equals describeRow's fields joined, row for
 * row, on every real capture (tested), so the filter keeps every match it had.
 */
import { byteHex, intHex } from '#core/bytes/hex.js';
import { messageTypeByCode } from '#core/ccid/message-types.js';
import { insName } from '#core/iso7816/ins.js';
import { describeStatusWord } from '#core/iso7816/status-words.js';
import { describeRow, rowSecrecy, type RowSource } from './row-decode.js';
import { FLAG_COMMAND_HAS_DATA, FLAG_IN_EXCHANGE, FLAG_WHOLE_APDU, NO_INS, NO_SW, PAYLOAD_KINDS } from './row-columns.js';

const CCID_HEADER = 10;
/** How many bytes of an APDU the list line shows (row-decode's PREVIEW_BYTES). */
const PREVIEW_BYTES = 24;
const KIND_APDU = PAYLOAD_KINDS.indexOf('apdu');
const KIND_RESPONSE = PAYLOAD_KINDS.indexOf('response-apdu');
/** Lines of "other" messages remembered, by bytes and tags; cleared when full. */
const MAX_REMEMBERED_LINES = 65_536;
const DIRECTION_OUT = 0;

/** Lowercase "00 a4 04 00" of a byte, for the previews. */
const SPACED_HEX = Array.from({ length: 256 }, (_, b) => byteHex(b).toLowerCase());

export type RowTest = (row: number) => boolean;

/** The list lines of a session's rows, made cheaply; one per session, its caches shared by every search. */
export class RowLines {
  private readonly typeNames = new Map<number, string>();
  private readonly commandNames = new Map<number, string>();
  private readonly meanings = new Map<number, string>();
  private readonly others = new Map<string, string>();

  constructor(private readonly source: RowSource) {}

  /** describeRow's `${name} ${summary} ${sw ?? ''} ${device}`, lowercased. */
  line(row: number): string {
    const c = this.source.columns;
    const sw = c.sw[row]!;
    const tail = `${sw === NO_SW ? '' : intHex(sw, 4).toLowerCase()} ${this.source.deviceName(c.device[row]!).toLowerCase()}`;
    const summary = this.apduSummary(row);
    if (summary !== undefined) return `${this.typeName(c.messageType[row]!)} ${summary} ${tail}`;
    return this.otherLine(row, tail);
  }

  private typeName(type: number): string {
    let name = this.typeNames.get(type);
    if (name === undefined) {
      name = (messageTypeByCode(type)?.name ?? `unknown 0x${byteHex(type)}`).toLowerCase();
      this.typeNames.set(type, name);
    }
    return name;
  }

  /** The summary of a clear command APDU or of an answer, or undefined for every other row. */
  private apduSummary(row: number): string | undefined {
    const c = this.source.columns;
    const kind = c.kind[row]!;
    if (kind !== KIND_APDU && kind !== KIND_RESPONSE) return undefined;
    const flags = c.flags[row]!;
    // A block or part of a chained APDU, or a command whose data is secret: row-decode says it.
    if ((flags & (FLAG_IN_EXCHANGE | FLAG_WHOLE_APDU)) === FLAG_IN_EXCHANGE) return undefined;
    const bytes = this.source.bytes(row);
    const data = dataOf(bytes);
    if (kind === KIND_APDU) {
      if (data.length < 4 || rowSecrecy(this.source, row) !== 'clear') return undefined;
      return `${this.commandName(data[0]!, data[1]!)}  ${preview(data)}`;
    }
    if (data.length < 2) return undefined;
    const sw1 = data[data.length - 2]!;
    const sw2 = data[data.length - 1]!;
    const body = data.length > 2 ? `, ${data.length - 2} bytes of data` : '';
    return `${SPACED_HEX[sw1]}${SPACED_HEX[sw2]} ${this.meaning(row, sw1, sw2)}${body}`;
  }

  private commandName(cla: number, ins: number): string {
    const key = (cla << 8) | ins;
    let name = this.commandNames.get(key);
    if (name === undefined) {
      name = (insName(cla, ins) ?? `INS ${byteHex(ins)}`).toLowerCase();
      this.commandNames.set(key, name);
    }
    return name;
  }

  /** The status word's meaning as the row reads it (row-decode's statusContextOfRow). */
  private meaning(row: number, sw1: number, sw2: number): string {
    const c = this.source.columns;
    const ins = c.ins[row]!;
    const hasData = (c.flags[row]! & FLAG_COMMAND_HAS_DATA) !== 0;
    const key = (ins === NO_INS ? 0x1ffff : (ins << 1) | (hasData ? 1 : 0)) * 0x10000 + ((sw1 << 8) | sw2);
    let meaning = this.meanings.get(key);
    if (meaning === undefined) {
      meaning = describeStatusWord(sw1, sw2, ins === NO_INS ? {} : { ins, commandHasData: hasData }).meaning.toLowerCase();
      this.meanings.set(key, meaning);
    }
    return meaning;
  }

  /** Any other row: described in full, remembered by what its line depends on. */
  private otherLine(row: number, tail: string): string {
    const c = this.source.columns;
    const bytes = this.source.bytes(row);
    // Secret rows are described afresh: their bytes are not kept as a key.
    if (c.direction[row] === DIRECTION_OUT && bytes.length > CCID_HEADER && rowSecrecy(this.source, row) !== 'clear') {
      const described = describeRow(this.source, row);
      return `${described.name} ${described.summary} ${tail}`.toLowerCase();
    }
    let key = `${c.kind[row]}/${c.direction[row]}/${c.flags[row]}/${c.ins[row]}/`;
    for (let i = 0; i < bytes.length; i++) key += SPACED_HEX[bytes[i]!]!;
    let head = this.others.get(key);
    if (head === undefined) {
      const described = describeRow(this.source, row);
      head = `${described.name} ${described.summary}`.toLowerCase();
      if (this.others.size >= MAX_REMEMBERED_LINES) this.others.clear();
      this.others.set(key, head);
    }
    return `${head} ${tail}`;
  }
}

/** abData as the decoder reads it: dwLength bytes after the header, or as many as there are. */
function dataOf(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= CCID_HEADER) return bytes.subarray(bytes.length);
  const declared = (bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24)) >>> 0;
  return bytes.subarray(CCID_HEADER, CCID_HEADER + Math.min(declared, bytes.length - CCID_HEADER));
}

/** row-decode's preview: the first PREVIEW_BYTES bytes spaced, then " …" when there are more. */
function preview(data: Uint8Array): string {
  const n = Math.min(PREVIEW_BYTES, data.length);
  let out = n > 0 ? SPACED_HEX[data[0]!]! : '';
  for (let i = 1; i < n; i++) out += ` ${SPACED_HEX[data[i]!]!}`;
  return data.length > PREVIEW_BYTES ? `${out} …` : out;
}

/**
 * The test for one search text (trimmed, lowercased): the list line, and the message's data
 * as hex or ASCII where the list would show it, and the frame number.
 */
export function rowTextTest(source: RowSource, lines: RowLines, text: string): RowTest {
  const c = source.columns;
  const hex = /^([0-9a-f]{2}\s*)+$/.test(text) ? hexBytes(text) : undefined;
  const ascii = asciiBytes(text);
  const frame = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : undefined;
  return (row) => {
    if (frame !== undefined && c.frame[row] === frame) return true;
    if (hex !== undefined || ascii !== undefined) {
      const data = searchableData(source, row);
      if (data && ((hex && indexOf(data, hex, false) >= 0) || (ascii && indexOf(data, ascii, true) >= 0))) return true;
    }
    return lines.line(row).includes(text);
  };
}

/** The data a search may look into: none where the list masks it, the header of a secret command APDU. */
function searchableData(source: RowSource, row: number): Uint8Array | undefined {
  const data = dataOf(source.bytes(row));
  if (data.length === 0) return undefined;
  const secrecy = rowSecrecy(source, row);
  if (secrecy === 'whole') return undefined;
  return secrecy === 'apdu' ? data.subarray(0, 4) : data;
}

function hexBytes(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Printable ASCII of at least 3 characters (shorter texts would match almost any data), lowercased. */
function asciiBytes(text: string): Uint8Array | undefined {
  if (text.length < 3 || !/^[\x20-\x7e]+$/.test(text)) return undefined;
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** Where `needle` starts in `haystack`, -1 if nowhere; `foldCase` compares ASCII letters case-insensitively (needle lowercase). */
function indexOf(haystack: Uint8Array, needle: Uint8Array, foldCase: boolean): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (let i = 0; i <= last; i++) {
    if (fold(haystack[i]!, foldCase) !== first) continue;
    let j = 1;
    while (j < needle.length && fold(haystack[i + j]!, foldCase) === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function fold(byte: number, foldCase: boolean): number {
  return foldCase && byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
