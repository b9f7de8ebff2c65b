/**
 * An exported-PDU recording (link type 252, core/capture/exported-pdu) read as APDU exchanges:
 * per interface (one reader), an `iso7816` packet towards the card is a command and the next one
 * from the card its response; an `iso7816.atr` packet is the ATR of a card just connected; packet
 * comments carry card events. The reader's name comes from the interface comment (`reader:`), else
 * its if_name, else `interface N`.
 *
 * Memory: one pending command per interface (interfaces are capped by the pcapng reader).
 */
import type { CaptureInterface, CaptureRecord } from '../capture/capture-types.js';
import { decodePinStructure } from '../pcsc/pin-structures.js';
import { describeStatusWord } from '../iso7816/status-words.js';
import { byteHex, parseHex, toHex } from '../bytes/hex.js';
import type { TracePinOperation } from './trace-report.js';
import {
  ISO7816_ATR_DISSECTOR,
  ISO7816_DISSECTOR,
  LINKTYPE_WIRESHARK_UPPER_PDU,
  P2P_DIR_FROM_CARD,
  P2P_DIR_TO_CARD,
  parseTraceComment,
  PIN_ENTRY_EVENT,
  readExportedPduHeader,
  traceCommentValue,
  traceCommentValues,
} from '../capture/exported-pdu.js';
import type { ApduTraceSink, TraceApduPacket } from './apdu-trace-sink.js';
import type { TraceEventKind } from './trace-report.js';

interface PendingCommand {
  bytes: Uint8Array;
  frame: number;
  timeNs: number;
  truncated: boolean;
  /** Set when the command is a keypad PIN entry's template: its answer completes this, no exchange is made. */
  pin?: TracePinOperation;
}

interface ReaderInterface {
  device: string;
  pending: PendingCommand | undefined;
  /** Dissector names already reported as not read here (each once per interface). */
  otherDissectors: Set<string>;
}

/** Different unread dissector names reported per interface. */
const MAX_REPORTED_DISSECTORS = 16;

export class ExportedPduTrace {
  private readonly readers = new Map<number, ReaderInterface>();

  constructor(private readonly sink: ApduTraceSink) {}

  /** Every interface of the capture; only exported-PDU ones become readers. */
  interface(info: CaptureInterface): void {
    if (info.linkType !== LINKTYPE_WIRESHARK_UPPER_PDU) return;
    this.readerOf(info.index, info.comments, info.name);
  }

  record(record: CaptureRecord): void {
    const reader = this.readerOf(record.interfaceIndex, undefined, undefined);
    const frame = record.frame;
    if (record.comment !== undefined) this.comment(reader, frame, record.comment);
    const header = readExportedPduHeader(record.view, record.offset, record.capturedLength);
    if (header.problem !== undefined) {
      this.sink.problem(frame, { code: 'bad-exported-pdu', message: `${header.problem}; packet skipped`, severity: 'error' });
      return;
    }
    const start = record.offset + header.pduOffset;
    const pdu = record.buffer.subarray(start, record.offset + record.capturedLength);
    const truncated = record.originalLength > record.capturedLength;
    if (header.dissector === ISO7816_ATR_DISSECTOR) {
      this.packet(reader, record, 'atr', pdu, truncated);
      this.sink.atr(frame, reader.device, 0, pdu);
      return;
    }
    if (header.dissector !== ISO7816_DISSECTOR) {
      this.otherDissector(reader, frame, header.dissector);
      return;
    }
    if (header.direction === P2P_DIR_TO_CARD) {
      this.packet(reader, record, 'command', pdu, truncated);
      const pending: PendingCommand = { bytes: pdu.slice(), frame, timeNs: record.timeNs, truncated };
      const pin = record.comment !== undefined ? pinEntry(record.comment, reader.device, frame, pending.bytes) : undefined;
      if (pin) {
        pending.pin = pin;
        this.sink.pinOperation(pin);
      }
      this.command(reader, pending);
    } else if (header.direction === P2P_DIR_FROM_CARD) {
      this.packet(reader, record, 'response', pdu, truncated);
      this.response(reader, pdu, frame, record.timeNs, truncated);
    } else {
      const said = header.direction === undefined ? 'has no P2P direction tag' : `has P2P direction ${header.direction}`;
      this.sink.problem(frame, {
        code: 'no-direction',
        message: `APDU packet ${said}: neither command nor response; skipped`,
        severity: 'error',
      });
    }
  }

  private packet(
    reader: ReaderInterface,
    record: CaptureRecord,
    kind: TraceApduPacket['kind'],
    bytes: Uint8Array,
    truncated: boolean,
  ): void {
    this.sink.packet({ frame: record.frame, timeNs: record.timeNs, device: reader.device, slot: 0, kind, bytes, truncated });
  }

  /** The capture ended: a command still waiting never got its answer. */
  end(): void {
    for (const reader of this.readers.values()) {
      if (reader.pending) this.missingResponse(reader.pending.frame, 'the recording ends before the card answered this command');
      reader.pending = undefined;
    }
  }

  private readerOf(index: number, comments: readonly string[] | undefined, interfaceName: string | undefined): ReaderInterface {
    let reader = this.readers.get(index);
    if (reader) return reader;
    let name: string | undefined;
    const about: { backend?: string; protocol?: string; pins?: 'masked' | 'exact' } = {};
    for (const text of comments ?? []) {
      const comment = parseTraceComment(text);
      name ||= comment.reader;
      about.backend ??= comment.backend;
      about.protocol ??= comment.protocol;
      about.pins ??= comment.pins;
    }
    reader = { device: name || interfaceName || `interface ${index}`, pending: undefined, otherDissectors: new Set() };
    this.readers.set(index, reader);
    this.sink.device(reader.device, about);
    return reader;
  }

  /** Every event line of a packet's comment that is a card event (a packet may carry several). */
  private comment(reader: ReaderInterface, frame: number, text: string): void {
    for (const event of traceCommentValues(text, 'event')) {
      const kind = EVENT_KINDS[event.toLowerCase()];
      if (kind) this.sink.event(frame, reader.device, 0, kind);
    }
  }

  private command(reader: ReaderInterface, command: PendingCommand): void {
    if (reader.pending) this.missingResponse(reader.pending.frame, 'a new command APDU was sent before the card answered the previous one');
    reader.pending = command;
  }

  private response(reader: ReaderInterface, pdu: Uint8Array, frame: number, timeNs: number, truncated: boolean): void {
    const command = reader.pending;
    if (!command) {
      this.sink.problem(frame, { code: 'orphan-response', message: 'card answered an APDU not in the capture', severity: 'warning' });
      return;
    }
    reader.pending = undefined;
    if (command.pin) {
      // As a CCID Secure in a USB capture: a PIN operation with its outcome, not an APDU exchange.
      command.pin.answer = pinAnswer(pdu);
      return;
    }
    this.sink.exchange(reader.device, 0, {
      command: command.bytes,
      response: pdu,
      commandFrame: command.frame,
      responseFrame: frame,
      commandTimeNs: command.timeNs,
      responseEndNs: timeNs,
      truncated: command.truncated || truncated,
    });
  }

  private missingResponse(frame: number, message: string): void {
    this.sink.problem(frame, { code: 'missing-response', message, severity: 'error' });
  }

  private otherDissector(reader: ReaderInterface, frame: number, name: string | undefined): void {
    const key = name ?? '';
    if (reader.otherDissectors.has(key) || reader.otherDissectors.size >= MAX_REPORTED_DISSECTORS) return;
    reader.otherDissectors.add(key);
    const what = name === undefined ? 'without a dissector name' : `for dissector '${printable(name)}'`;
    this.sink.problem(frame, {
      code: 'unsupported-pdu',
      message: `${reader.device} has exported PDUs ${what}; only iso7816 and iso7816.atr are read, the others are skipped`,
      severity: 'warning',
    });
  }
}

/**
 * A keypad PIN entry, when the command packet's comment says it is one: the operation from the
 * request line, the PC/SC structure (its header in the comment, the template being the packet)
 * decoded as SCardControl's would be. CCID Secure parameters are named but not decoded here.
 */
function pinEntry(comment: string, device: string, frame: number, template: Uint8Array): TracePinOperation | undefined {
  const entry = PIN_ENTRY_EVENT.toLowerCase();
  if (!traceCommentValues(comment, 'event').some((event) => event.toLowerCase() === entry)) return undefined;
  const request = traceCommentValue(comment, 'request') ?? '';
  const operation = /modify/i.test(request) ? 'modify' : 'verify';
  let structure: TracePinOperation['structure'] = null;
  const text = traceCommentValue(comment, 'structure');
  const parsed = text === undefined ? undefined : parseHex(text, 64);
  const header = parsed?.ok ? parsed.bytes : undefined;
  if (header) {
    const whole = new Uint8Array(header.length + template.length);
    whole.set(header);
    whole.set(template, header.length);
    const decoded = decodePinStructure(operation, whole).structure;
    if (decoded) {
      const { apdu: _apdu, bTimeOut2: _timeOut2, ulDataLength: _length, ...fields } = decoded;
      structure = fields;
    }
  }
  const what = request ? ` (${request.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)})` : '';
  return { frame, device, slot: 0, operation: `${operation}${what}`, apduTemplate: toHex(template), structure, answer: null };
}

function pinAnswer(response: Uint8Array): NonNullable<TracePinOperation['answer']> {
  const sw = response.length >= 2 ? [response[response.length - 2]!, response[response.length - 1]!] : undefined;
  return {
    message: 'Response APDU',
    bStatus: 0,
    bError: 0,
    meaning: sw ? describeStatusWord(sw[0]!, sw[1]!).meaning : 'no status word',
    response: toHex(response),
    sw: sw ? byteHex(sw[0]!) + byteHex(sw[1]!) : null,
  };
}

/** Comment events that are card events in the report; others (`card connected` on PC/SC, …) are not. */
const EVENT_KINDS: Record<string, TraceEventKind | undefined> = {
  'card inserted': 'card-inserted',
  'card connected': 'card-inserted',
  'card removed': 'card-removed',
};

/** A name from the file in a message: printable ASCII only, bounded. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
