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
import { byteHex } from '#core/bytes/hex.js';
import { messageTypeByCode } from '#core/ccid/message-types.js';
import { insName } from '#core/iso7816/ins.js';
import { describeStatusWord } from '#core/iso7816/status-words.js';
import { ARENA_BLOCK_SIZE } from './byte-arena.js';
import { isApduPacketRow } from './apdu-packet-row.js';
import { describeRow, rowSecrecy, type RowSource } from './row-decode.js';
import { FLAG_COMMAND_HAS_DATA, FLAG_IN_EXCHANGE, FLAG_WHOLE_APDU, NO_INS, NO_SW, PAYLOAD_KINDS } from './row-columns.js';

const CCID_HEADER = 10;
/** How many bytes of an APDU the list line shows (row-decode's PREVIEW_BYTES). */
const PREVIEW_BYTES = 24;
const KIND_APDU = PAYLOAD_KINDS.indexOf('apdu');
const KIND_RESPONSE = PAYLOAD_KINDS.indexOf('response-apdu');
/** 1 for the kind codes of APDU-level packet rows (apdu-packet-row.ts), read per row without a call. */
const PACKET_KINDS = Uint8Array.from(PAYLOAD_KINDS, (_, kind) => (isApduPacketRow(kind) ? 1 : 0));
/** Lines of "other" messages remembered, by bytes and tags; cleared when full. */
const MAX_REMEMBERED_LINES = 65_536;
const DIRECTION_OUT = 0;

/** Lowercase hex of a byte, as text and as its two character codes. */
const SPACED_HEX = Array.from({ length: 256 }, (_, b) => byteHex(b).toLowerCase());
const HEX_CODES = Uint8Array.from(SPACED_HEX.join(''), (ch) => ch.charCodeAt(0));
const SPACE = 0x20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A piece of list text made once and met on many rows: lowercase UTF-8, and what the current search made of it. */
interface Piece {
  bytes: Uint8Array;
  /** The search (Matcher) whose `steps` these are. */
  owner: Matcher | undefined;
  /** From each state of that search's automaton, the state after this piece (-1: the text was found). */
  steps: Int32Array | undefined;
}

function piece(text: string): Piece {
  return { bytes: encoder.encode(text.toLowerCase()), owner: undefined, steps: undefined };
}

const ONE_SPACE = piece(' ');
const TWO_SPACES = piece('  ');
const ELLIPSIS = piece(' …');
const COMMA_SPACE = piece(', ');
const BYTES_OF_DATA = piece(' bytes of data');

/** What a row's line is written to: the line itself, or a search that reads it as it comes. */
interface LineSink {
  piece(p: Piece): void;
  /** A byte's two hex digits, after a space when `spaced`. */
  hex(b: number, spaced: boolean): void;
  decimal(n: number): void;
}

/** Writes lines into one reused buffer. */
class LineWriter implements LineSink {
  buffer = new Uint8Array(4096);
  at = 0;

  piece(p: Piece): void {
    const bytes = p.bytes;
    this.room(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  hex(b: number, spaced: boolean): void {
    this.room(3);
    if (spaced) this.buffer[this.at++] = SPACE;
    this.buffer[this.at++] = HEX_CODES[b * 2]!;
    this.buffer[this.at++] = HEX_CODES[b * 2 + 1]!;
  }

  decimal(n: number): void {
    const digits = String(n);
    this.room(digits.length);
    for (let i = 0; i < digits.length; i++) this.buffer[this.at++] = digits.charCodeAt(i);
  }

  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.at + n));
    next.set(this.buffer.subarray(0, this.at));
    this.buffer = next;
  }
}

/**
 * One search text as a string-matching automaton (KMP): reading a line byte by byte, its state
 * is how much of the text the line ends with. A cached piece is read in one step from a table
 * made the first time the search meets it, and a hex byte from a table of all 256: a row's
 * line costs a few table reads, not its bytes.
 */
class Matcher implements LineSink {
  private readonly next: Int32Array;
  private readonly hexSteps: Int32Array;
  private readonly spacedHexSteps: Int32Array;
  /** The automaton's state; -1 once the text was found. */
  state = 0;

  constructor(private readonly needle: Uint8Array) {
    const m = needle.length;
    // next[s * 256 + byte]: the state after reading byte in state s (m: found).
    this.next = new Int32Array(m * 256);
    this.next[needle[0]!] = 1;
    for (let s = 1, fallback = 0; s < m; s++) {
      for (let b = 0; b < 256; b++) this.next[s * 256 + b] = this.next[fallback * 256 + b]!;
      this.next[s * 256 + needle[s]!] = s + 1;
      fallback = this.next[fallback * 256 + needle[s]!]!;
    }
    this.hexSteps = new Int32Array(m * 256);
    this.spacedHexSteps = new Int32Array(m * 256);
    for (let s = 0; s < m; s++) {
      for (let b = 0; b < 256; b++) {
        this.hexSteps[s * 256 + b] = this.run(s, HEX_CODES.subarray(b * 2, b * 2 + 2));
        this.spacedHexSteps[s * 256 + b] = this.run(this.step(s, SPACE), HEX_CODES.subarray(b * 2, b * 2 + 2));
      }
    }
  }

  piece(p: Piece): void {
    if (this.state < 0) return;
    if (p.owner !== this) {
      const steps = new Int32Array(this.needle.length);
      for (let s = 0; s < steps.length; s++) steps[s] = this.run(s, p.bytes);
      p.owner = this;
      p.steps = steps;
    }
    this.state = p.steps![this.state]!;
  }

  hex(b: number, spaced: boolean): void {
    if (this.state < 0) return;
    this.state = (spaced ? this.spacedHexSteps : this.hexSteps)[this.state * 256 + b]!;
  }

  decimal(n: number): void {
    const digits = String(n);
    for (let i = 0; i < digits.length && this.state >= 0; i++) this.state = this.step(this.state, digits.charCodeAt(i));
  }

  /** One byte from state s (-1 stays -1, the text's end gives -1). */
  private step(s: number, byte: number): number {
    if (s < 0) return -1;
    const next = this.next[s * 256 + byte]!;
    return next === this.needle.length ? -1 : next;
  }

  private run(s: number, bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length && s >= 0; i++) s = this.step(s, bytes[i]!);
    return s;
  }
}

export type RowTest = (row: number) => boolean;

/**
 * The list lines of a session's rows, written from the row's columns and bytes and cached
 * pieces of text; one per session, its caches shared by every search.
 */
export class RowLines {
  private readonly typeNames = new Map<number, Piece>();
  private readonly commandNames = new Map<number, Piece>();
  private readonly meanings = new Map<number, Piece>();
  private readonly others = new Map<string, Piece>();
  private readonly devices = new Map<number, Piece>();
  private readonly writer = new LineWriter();
  /** The row's abData, located by `locate` without a view: block[dataStart, dataEnd). */
  private block: Uint8Array = new Uint8Array(0);
  private dataStart = 0;
  private dataEnd = 0;

  /**
   * @param arenaBlocks the session's ByteArena blocks, read in place (rows' `address` columns
   *   index them); without them each row's bytes come from source.bytes
   */
  constructor(
    private readonly source: RowSource,
    private readonly arenaBlocks?: () => readonly Uint8Array[],
  ) {}

  /** describeRow's `${name} ${summary} ${sw ?? ''} ${device}`, lowercased. */
  line(row: number): string {
    this.writer.at = 0;
    this.walk(row, this.writer);
    return decoder.decode(this.writer.buffer.subarray(0, this.writer.at));
  }

  /** A search for `text` (lowercase) in the rows' lines. */
  matcher(text: string): (row: number) => boolean {
    const needle = encoder.encode(text);
    if (needle.length === 0) return () => true;
    const matcher = new Matcher(needle);
    return (row) => {
      matcher.state = 0;
      this.walk(row, matcher);
      return matcher.state < 0;
    };
  }

  /** Finds the row's abData as the decoder reads it: dwLength bytes after the header, or as many as there are. */
  private locate(row: number): void {
    const c = this.source.columns;
    let block: Uint8Array;
    let start: number;
    const length = c.byteLength[row]!;
    if (this.arenaBlocks) {
      const address = c.address[row]!;
      block = this.arenaBlocks()[Math.floor(address / ARENA_BLOCK_SIZE)]!;
      start = address % ARENA_BLOCK_SIZE;
    } else {
      block = this.source.bytes(row);
      start = 0;
    }
    this.block = block;
    // An APDU-level trace's row is the APDU or answer itself, no CCID message around it.
    if (PACKET_KINDS[c.kind[row]!] === 1) {
      this.dataStart = start;
      this.dataEnd = start + length;
      return;
    }
    if (length <= CCID_HEADER) {
      this.dataStart = this.dataEnd = start + length;
      return;
    }
    const declared = (block[start + 1]! | (block[start + 2]! << 8) | (block[start + 3]! << 16) | (block[start + 4]! << 24)) >>> 0;
    this.dataStart = start + CCID_HEADER;
    this.dataEnd = this.dataStart + Math.min(declared, length - CCID_HEADER);
  }

  /**
   * Whether the row's abData holds `needle` where a search may look: nowhere where the list
   * masks the data, only in the header of a secret command APDU.
   */
  dataContains(row: number, needle: Uint8Array, foldCase: boolean): boolean {
    this.locate(row);
    if (this.dataEnd === this.dataStart) return false;
    const secrecy = rowSecrecy(this.source, row);
    if (secrecy === 'whole') return false;
    const end = secrecy === 'apdu' ? Math.min(this.dataEnd, this.dataStart + 4) : this.dataEnd;
    return indexOf(this.block, needle, foldCase, this.dataStart, end) >= 0;
  }

  private walk(row: number, sink: LineSink): void {
    const c = this.source.columns;
    if (!this.apduLine(row, sink)) sink.piece(this.otherHead(row));
    sink.piece(ONE_SPACE);
    const sw = c.sw[row]!;
    if (sw !== NO_SW) {
      sink.hex(sw >> 8, false);
      sink.hex(sw & 0xff, false);
    }
    sink.piece(ONE_SPACE);
    sink.piece(this.device(c.device[row]!));
  }

  /** Gives the name and summary of a clear command APDU or of an answer; false (nothing given) for every other row. */
  private apduLine(row: number, sink: LineSink): boolean {
    const c = this.source.columns;
    const kind = c.kind[row]!;
    if (kind !== KIND_APDU && kind !== KIND_RESPONSE) return false;
    const flags = c.flags[row]!;
    // A block or part of a chained APDU, or a command whose data is secret: row-decode says it.
    if ((flags & (FLAG_IN_EXCHANGE | FLAG_WHOLE_APDU)) === FLAG_IN_EXCHANGE) return false;
    this.locate(row);
    const data = this.block;
    const start = this.dataStart;
    const length = this.dataEnd - start;
    if (kind === KIND_APDU) {
      if (length < 4 || rowSecrecy(this.source, row) !== 'clear') return false;
      sink.piece(this.typeName(c.messageType[row]!));
      sink.piece(ONE_SPACE);
      sink.piece(this.commandName(data[start]!, data[start + 1]!));
      sink.piece(TWO_SPACES);
      // row-decode's preview: the first PREVIEW_BYTES bytes spaced, then " …" when there are more.
      const n = Math.min(PREVIEW_BYTES, length);
      for (let i = 0; i < n; i++) sink.hex(data[start + i]!, i > 0);
      if (length > PREVIEW_BYTES) sink.piece(ELLIPSIS);
      return true;
    }
    if (length < 2) return false;
    const sw1 = data[this.dataEnd - 2]!;
    const sw2 = data[this.dataEnd - 1]!;
    sink.piece(this.typeName(c.messageType[row]!));
    sink.piece(ONE_SPACE);
    sink.hex(sw1, false);
    sink.hex(sw2, false);
    sink.piece(ONE_SPACE);
    sink.piece(this.meaning(row, sw1, sw2));
    if (length > 2) {
      sink.piece(COMMA_SPACE);
      sink.decimal(length - 2);
      sink.piece(BYTES_OF_DATA);
    }
    return true;
  }

  private typeName(type: number): Piece {
    let name = this.typeNames.get(type);
    if (name === undefined) {
      name = piece(messageTypeByCode(type)?.name ?? `unknown 0x${byteHex(type)}`);
      this.typeNames.set(type, name);
    }
    return name;
  }

  private device(index: number): Piece {
    let name = this.devices.get(index);
    if (name === undefined) {
      name = piece(this.source.deviceName(index));
      this.devices.set(index, name);
    }
    return name;
  }

  private commandName(cla: number, ins: number): Piece {
    const key = (cla << 8) | ins;
    let name = this.commandNames.get(key);
    if (name === undefined) {
      name = piece(insName(cla, ins) ?? `INS ${byteHex(ins)}`);
      this.commandNames.set(key, name);
    }
    return name;
  }

  /** The status word's meaning as the row reads it (row-decode's statusContextOfRow). */
  private meaning(row: number, sw1: number, sw2: number): Piece {
    const c = this.source.columns;
    const ins = c.ins[row]!;
    const hasData = (c.flags[row]! & FLAG_COMMAND_HAS_DATA) !== 0;
    const key = (ins === NO_INS ? 0x1ffff : (ins << 1) | (hasData ? 1 : 0)) * 0x10000 + ((sw1 << 8) | sw2);
    let meaning = this.meanings.get(key);
    if (meaning === undefined) {
      meaning = piece(describeStatusWord(sw1, sw2, ins === NO_INS ? {} : { ins, commandHasData: hasData }).meaning);
      this.meanings.set(key, meaning);
    }
    return meaning;
  }

  /** Any other row's name and summary: described in full, remembered by what they depend on. */
  private otherHead(row: number): Piece {
    const c = this.source.columns;
    const bytes = this.source.bytes(row);
    // Secret rows are described afresh: their bytes are not kept as a key.
    if (c.direction[row] === DIRECTION_OUT && rowSecrecy(this.source, row) !== 'clear') {
      const described = describeRow(this.source, row);
      return piece(`${described.name} ${described.summary}`);
    }
    let key = `${c.kind[row]}/${c.direction[row]}/${c.flags[row]}/${c.ins[row]}/`;
    for (let i = 0; i < bytes.length; i++) key += SPACED_HEX[bytes[i]!]!;
    let head = this.others.get(key);
    if (head === undefined) {
      const described = describeRow(this.source, row);
      head = piece(`${described.name} ${described.summary}`);
      if (this.others.size >= MAX_REMEMBERED_LINES) this.others.clear();
      this.others.set(key, head);
    }
    return head;
  }
}

/**
 * The test for one search text (trimmed, lowercased): the list line, and the message's data
 * as hex or ASCII where the list would show it, and the frame number.
 */
export function rowTextTest(source: RowSource, lines: RowLines, text: string): RowTest {
  const c = source.columns;
  const hex = /^([0-9a-f]{2}\s*)+$/.test(text) ? hexBytes(text) : undefined;
  // A text that reads as hex bytes is searched as hex only (its characters in binary data are noise).
  const ascii = hex === undefined ? asciiBytes(text) : undefined;
  const frame = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : undefined;
  const inLine = lines.matcher(text);
  return (row) => {
    if (frame !== undefined && c.frame[row] === frame) return true;
    if (hex !== undefined && lines.dataContains(row, hex, false)) return true;
    if (ascii !== undefined && lines.dataContains(row, ascii, true)) return true;
    return inLine(row);
  };
}

function hexBytes(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Printable ASCII of at least 3 characters (shorter texts would match almost any data), lowercased as the text is. */
function asciiBytes(text: string): Uint8Array | undefined {
  if (text.length < 3 || !/^[\x20-\x7e]+$/.test(text)) return undefined;
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** Where `needle` starts in `haystack` (between from and to), -1 if nowhere; `foldCase` compares ASCII letters case-insensitively (needle lowercase). */
function indexOf(haystack: Uint8Array, needle: Uint8Array, foldCase: boolean, from = 0, to = haystack.length): number {
  return foldCase ? indexOfFolded(haystack, needle, from, to) : indexOfExact(haystack, needle, from, to);
}

function indexOfExact(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0]!;
  const last = to - needle.length;
  for (let i = from; i <= last; i++) {
    if (haystack[i] !== first) continue;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function indexOfFolded(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const last = to - needle.length;
  const first = needle[0]!;
  for (let i = from; i <= last; i++) {
    if ((haystack[i]! | 0x20) !== (first | 0x20)) continue;
    let j = 0;
    while (j < needle.length && fold(haystack[i + j]!) === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function fold(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
