/**
 * Wireshark's "exported PDU" link type (LINKTYPE_WIRESHARK_UPPER_PDU, 252) as Cardbench records
 * reader sessions in it, and the one place both sides of that file format are defined: the
 * recorder (core/record) writes with these constants and helpers, the importer
 * (core/trace/exported-pdu-trace) reads with them.
 *
 * A packet is a list of tags — 2-byte type, 2-byte length, both big-endian, the value padded to a
 * multiple of 4 bytes with the padding counted in the length — ended by tag 0 of length 0, then
 * the PDU. Wireshark hands the PDU to the dissector the "dissector name" tag names: `iso7816`
 * for an APDU (its direction from the "P2P direction" tag), `iso7816.atr` for an ATR.
 *
 * What the PDU does not say — the reader, the card's ATR, the backend and protocol, whether PIN
 * bytes were masked, card events — goes in pcapng comments (opt_comment, option 1) of the
 * interface (one interface = one reader) and of packets, as `key: value` lines (TRACE_COMMENT_KEYS).
 */
import { parseHex, toHex } from '../bytes/hex.js';

export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;

/** Exported-PDU tag numbers (Wireshark's epan/exported_pdu.h). */
export const EXP_PDU_TAG_END_OF_OPT = 0;
export const EXP_PDU_TAG_DISSECTOR_NAME = 12;
export const EXP_PDU_TAG_P2P_DIRECTION = 35;

/** The dissector names Cardbench writes (both registered by Wireshark's packet-iso7816.c). */
export const ISO7816_DISSECTOR = 'iso7816';
export const ISO7816_ATR_DISSECTOR = 'iso7816.atr';

/** P2P direction values: Wireshark's iso7816 dissector reads 0 as a command, 1 as a response. */
export const P2P_DIR_TO_CARD = 0;
export const P2P_DIR_FROM_CARD = 1;

/** pcapng's opt_comment, in interface description and enhanced packet blocks alike. */
export const PCAPNG_OPT_COMMENT = 1;

/** The keys of the `key: value` lines of interface and packet comments. */
export const TRACE_COMMENT_KEYS = ['reader', 'atr', 'backend', 'protocol', 'pins', 'event'] as const;
export type TraceCommentKey = (typeof TRACE_COMMENT_KEYS)[number];

/** `pins:` — whether VERIFY/CHANGE/RESET RETRY COUNTER bodies and Secure PIN blocks were masked. */
export type PinRecording = 'masked' | 'exact';

/** What a comment says, key by key (a key absent from the comment is absent here). */
export interface TraceComment {
  reader?: string;
  /** The ATR as uppercase hex without spaces. */
  atr?: string;
  backend?: string;
  protocol?: string;
  pins?: PinRecording;
  /** e.g. `card connected`, `card removed`. */
  event?: string;
}

/** One comment's text: a `key: value` line per field, in TRACE_COMMENT_KEYS order. */
export function formatTraceComment(comment: TraceComment): string {
  const lines: string[] = [];
  for (const key of TRACE_COMMENT_KEYS) {
    const value = comment[key];
    if (value !== undefined) lines.push(`${key}: ${oneLine(value)}`);
  }
  return lines.join('\n');
}

/**
 * Reads the `key: value` lines of a comment; other lines and unknown keys are ignored (a comment
 * a user typed in Wireshark is no error). A bad `atr` or `pins` value is left out.
 */
export function parseTraceComment(text: string): TraceComment {
  const out: TraceComment = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'atr') {
      const parsed = parseHex(value, 64);
      if (parsed.ok && parsed.bytes.length > 0) out.atr = toHex(parsed.bytes);
    } else if (key === 'pins') {
      if (value === 'masked' || value === 'exact') out.pins = value;
    } else if (key === 'reader' || key === 'backend' || key === 'protocol' || key === 'event') {
      out[key] = value;
    }
  }
  return out;
}

/**
 * A keypad PIN entry in a recording: its command packet (the APDU template the reader completes with
 * the typed PIN) carries `event: PIN entry on the reader keypad` and `request: PC/SC
 * VERIFY_PIN_DIRECT (…)` / `request: CCID PC_to_RDR_Secure (verify)`, with the PC/SC structure's
 * header as `structure: HEX` or the CCID Secure's parameters as `parameters: HEX`.
 */
export const PIN_ENTRY_EVENT = 'PIN entry on the reader keypad';

/** The value of the first `key: value` line of a comment with that key (keys beyond TRACE_COMMENT_KEYS: request, structure…). */
export function traceCommentValue(text: string, key: string): string | undefined {
  return traceCommentValues(text, key)[0];
}

/** Every value a comment gives a key, in order: a packet's comment may note several events. */
export function traceCommentValues(text: string, key: string): string[] {
  const values: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === key) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** The tags that open an exported PDU: dissector name, P2P direction, end of options. */
export function encodeExportedPduTags(dissector: string, direction: number): Uint8Array {
  const name = asciiBytes(dissector);
  const nameLength = (name.length + 4) & ~3; // at least one NUL, then to a multiple of 4
  const out = new Uint8Array(4 + nameLength + 8 + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, EXP_PDU_TAG_DISSECTOR_NAME);
  view.setUint16(2, nameLength);
  out.set(name, 4);
  let at = 4 + nameLength;
  view.setUint16(at, EXP_PDU_TAG_P2P_DIRECTION);
  view.setUint16(at + 2, 4);
  view.setUint32(at + 4, direction >>> 0);
  at += 8;
  view.setUint16(at, EXP_PDU_TAG_END_OF_OPT);
  view.setUint16(at + 2, 0);
  return out;
}

/** What the tags of one exported PDU said. */
export interface ExportedPduHeader {
  /** The dissector name without its NUL padding; undefined when the tag is missing. */
  dissector: string | undefined;
  /** P2P direction; undefined when the tag is missing. */
  direction: number | undefined;
  /** Where the PDU starts (relative to the packet), when the tags ended cleanly. */
  pduOffset: number;
  /** Why the tags could not be read to their end (the PDU is then not trusted). */
  problem: string | undefined;
}

/** Longest dissector name read: Wireshark's own are under 64 bytes. */
const MAX_DISSECTOR_NAME = 256;

/** Reads the tags of the packet `bytes[offset .. offset+length)`; never throws. */
export function readExportedPduHeader(view: DataView, offset: number, length: number): ExportedPduHeader {
  const out: ExportedPduHeader = { dissector: undefined, direction: undefined, pduOffset: 0, problem: undefined };
  let at = 0;
  for (;;) {
    if (at + 4 > length) {
      out.problem = at === 0 ? 'packet too short for an exported-PDU tag' : `exported-PDU tags run past the packet (byte ${at})`;
      return out;
    }
    const tag = view.getUint16(offset + at);
    const size = view.getUint16(offset + at + 2);
    at += 4;
    if (tag === EXP_PDU_TAG_END_OF_OPT) {
      out.pduOffset = at;
      return out;
    }
    if (at + size > length) {
      out.problem = `exported-PDU tag ${tag} of ${size} bytes runs past the packet`;
      return out;
    }
    if (tag === EXP_PDU_TAG_DISSECTOR_NAME) out.dissector = asciiString(view, offset + at, Math.min(size, MAX_DISSECTOR_NAME));
    else if (tag === EXP_PDU_TAG_P2P_DIRECTION && size >= 4) out.direction = view.getUint32(offset + at);
    at += size;
  }
}

function asciiString(view: DataView, offset: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    const c = view.getUint8(offset + i);
    if (c === 0) break;
    text += String.fromCharCode(c);
  }
  return text;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}

/** A value never spans lines: the comment is line-oriented. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
