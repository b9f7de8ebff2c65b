/**
 * A pcsc-spy log's PC/SC calls (core/capture/pcsc-spy-log) read as a trace: SCardTransmit's send
 * buffer and answer become an APDU exchange of the reader the card handle was connected to
 * (SCardConnect's reader argument; `handle 0x…` when the log began after the connect), SCardStatus
 * and SCardGetStatusChange ATRs become ATRs and their card state changes card events,
 * SCardControl's VERIFY/MODIFY_PIN_DIRECT (control codes learnt from the reader's
 * GET_FEATURE_REQUEST answer) PIN operations, and every failed call a problem with its SCARD_*
 * name. Frames are line numbers: a call's command is its `>` line, its answer its `<` line; times
 * count from the first call.
 *
 * The argument layout per function is libpcscspy.c's (pcsc-lite src/spy): each SCARD_READERSTATE
 * is 5 lines (reader, current state, event state, ATR length, ATR), a buffer 2 lines (length, hex).
 */
import { hexLiteral, toHex } from '../bytes/hex.js';
import type { PcscSpyCall } from '../capture/pcsc-spy-log.js';
import type { Problem } from '../dissect/node.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_LINUX, CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS } from '../pcsc/control-codes.js';
import { decodeFeatureList, FEATURE_NAMES } from '../pcsc/features.js';
import { decodePinStructure } from '../pcsc/pin-structures.js';
import { PCSC_ERROR_NAMES } from '../pinpad/pin-outcome.js';
import type { ApduTraceSink } from './apdu-trace-sink.js';
import type { TracePinOperation } from './trace-report.js';

const SCARD_S_SUCCESS = 0;
const SCARD_E_TIMEOUT = 0x8010000a;
const SCARD_STATE_CHANGED = 0x0002;
const SCARD_STATE_EMPTY = 0x0010;
const SCARD_STATE_PRESENT = 0x0020;
const VERIFY_PIN_DIRECT = 0x06;
const MODIFY_PIN_DIRECT = 0x07;
/** Lines of one SCARD_READERSTATE in the log. */
const READER_STATE_LINES = 5;
/** Handles and readers remembered: a log of a long-running service may connect millions of times. */
const MAX_HANDLES = 4096;
const MAX_READERS = 256;

interface ReaderKnowledge {
  /** Hex of the last ATR reported for this reader (the same ATR polled again is not a new one). */
  lastAtr: string | undefined;
  /** SCardControl code → part 10 feature tag, from the reader's GET_FEATURE_REQUEST answer. */
  features: Map<number, number>;
}

export class PcscCallTrace {
  private readonly handles = new Map<string, string>();
  private readonly readers = new Map<string, ReaderKnowledge>();
  private baseUs: number | undefined;

  constructor(private readonly sink: ApduTraceSink) {}

  call(call: PcscSpyCall): void {
    this.baseUs ??= call.startUs;
    // SCardGetStatusChange answers SCARD_E_TIMEOUT when nothing changed in time: a poll, not a failure.
    const routine = call.name === 'SCardGetStatusChange' && call.result === SCARD_E_TIMEOUT;
    if (call.result !== SCARD_S_SUCCESS && !routine) this.failed(call);
    switch (call.name) {
      case 'SCardConnect':
        return this.connect(call);
      case 'SCardDisconnect':
        if (call.result === SCARD_S_SUCCESS && call.args.length >= 1) this.handles.delete(handleKey(call.args[0]!));
        return;
      case 'SCardTransmit':
        return this.transmit(call);
      case 'SCardControl':
        return this.control(call);
      case 'SCardStatus':
        return this.status(call);
      case 'SCardGetStatusChange':
        return this.statusChange(call);
      default:
        return;
    }
  }

  private connect(call: PcscSpyCall): void {
    if (call.result !== SCARD_S_SUCCESS) return;
    if (call.args.length !== 8) return this.badCall(call, 8);
    const reader = call.args[1]!;
    const handle = handleKey(call.args[6]!);
    if (this.handles.size >= MAX_HANDLES && !this.handles.has(handle)) this.handles.clear();
    this.handles.set(handle, reader);
    this.reader(reader);
  }

  private transmit(call: PcscSpyCall): void {
    if (call.args.length !== 9) return this.badCall(call, 9);
    if (call.result !== SCARD_S_SUCCESS) return;
    const device = this.deviceOf(call.args[0]!);
    const command = this.buffer(call, 3, 'send buffer');
    const response = this.buffer(call, 7, 'answer');
    if (!command || !response) return;
    const commandTimeNs = this.timeNs(call.startUs);
    const responseTimeNs = this.timeNs(call.endUs);
    const base = { device, slot: 0 };
    this.sink.packet({ ...base, frame: call.line, timeNs: commandTimeNs, kind: 'command', bytes: command.bytes, truncated: command.short });
    this.sink.packet({
      ...base,
      frame: call.endLine,
      timeNs: responseTimeNs,
      kind: 'response',
      bytes: response.bytes,
      truncated: response.short,
    });
    this.sink.exchange(device, 0, {
      command: command.bytes,
      response: response.bytes,
      commandFrame: call.line,
      responseFrame: call.endLine,
      commandTimeNs,
      responseEndNs: responseTimeNs,
      truncated: command.short || response.short,
    });
  }

  private control(call: PcscSpyCall): void {
    if (call.args.length !== 6) return this.badCall(call, 6);
    const code = hexNumber(call.args[1]!);
    if (code === undefined) return this.badArgument(call, 'control code');
    const device = this.deviceOf(call.args[0]!);
    const knowledge = this.reader(device);
    const received = call.result === SCARD_S_SUCCESS ? this.buffer(call, 4, 'answer') : undefined;
    if (code === CM_IOCTL_GET_FEATURE_REQUEST_LINUX || code === CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS) {
      if (received) for (const f of decodeFeatureList(received.bytes).features) knowledge.features.set(f.controlCode, f.tag);
      return;
    }
    const feature = knowledge.features.get(code);
    if (feature !== VERIFY_PIN_DIRECT && feature !== MODIFY_PIN_DIRECT) return;
    const sent = this.buffer(call, 2, 'PIN structure');
    if (!sent) return;
    const operation = feature === VERIFY_PIN_DIRECT ? 'verify' : 'modify';
    const decoded = decodePinStructure(operation, sent.bytes);
    let structure: TracePinOperation['structure'] = null;
    if (decoded.structure) {
      // The report's structure is the fields a CCID Secure shares with it; the APDU is the template.
      const { apdu: _apdu, bTimeOut2: _timeOut2, ulDataLength: _length, ...fields } = decoded.structure;
      structure = fields;
    }
    const pin: TracePinOperation = {
      frame: call.line,
      device,
      slot: 0,
      operation: `${operation} (${FEATURE_NAMES[feature]})`,
      apduTemplate: decoded.structure ? toHex(decoded.structure.apdu.bytes) : null,
      structure,
      answer: {
        message: 'SCardControl',
        bStatus: 0,
        bError: 0,
        meaning: call.result === SCARD_S_SUCCESS ? 'command processed' : resultName(call),
      },
    };
    // The template and the card's answer are the entry's rows, as a recording's are.
    if (decoded.structure)
      this.sink.packet({
        frame: call.line,
        timeNs: this.timeNs(call.startUs),
        device,
        slot: 0,
        kind: 'command',
        bytes: decoded.structure.apdu.bytes,
        truncated: false,
      });
    if (received) {
      this.sink.packet({
        frame: call.endLine,
        timeNs: this.timeNs(call.endUs),
        device,
        slot: 0,
        kind: 'response',
        bytes: received.bytes,
        truncated: false,
      });
      pin.answer!.response = toHex(received.bytes);
      pin.answer!.sw = received.bytes.length >= 2 ? toHex(received.bytes.subarray(received.bytes.length - 2)) : null;
    }
    this.sink.pinOperation(pin);
  }

  /** SCardStatus: the ATR is the last buffer (length, hex), the reader the first name after the names' length. */
  private status(call: PcscSpyCall): void {
    if (call.result !== SCARD_S_SUCCESS) return;
    const args = call.args;
    if (args.length < 8) return this.badCall(call, 8);
    const named = args[3] !== 'NULL' && args[3] !== '""' ? args[4] : undefined;
    const device = named || this.deviceOf(args[0]!);
    const atr = this.buffer(call, args.length - 2, 'ATR');
    if (atr && atr.bytes.length > 0) this.atr(call, device, atr.bytes);
  }

  /** SCardGetStatusChange: the reader states after the call, against what the application knew before. */
  private statusChange(call: PcscSpyCall): void {
    if (call.result !== SCARD_S_SUCCESS) return;
    const count = hexNumber(call.args[2] ?? '');
    if (count === undefined || call.args.length !== 3 + 2 * READER_STATE_LINES * count) {
      return this.badCall(call, count === undefined ? 3 : 3 + 2 * READER_STATE_LINES * count);
    }
    for (let i = 0; i < count; i++) {
      const before = 3 + READER_STATE_LINES * i;
      const after = 3 + READER_STATE_LINES * (count + i);
      const reader = call.args[after]!;
      if (reader.startsWith('\\\\?PnP?')) continue; // the "new reader" notification pseudo-reader
      const current = hexNumber(call.args[before + 1]!) ?? 0;
      const event = hexNumber(call.args[after + 2]!) ?? 0;
      if ((event & SCARD_STATE_CHANGED) !== 0) {
        if ((current & SCARD_STATE_EMPTY) !== 0 && (event & SCARD_STATE_PRESENT) !== 0)
          this.sink.event(call.endLine, reader, 0, 'card-inserted');
        if ((current & SCARD_STATE_PRESENT) !== 0 && (event & SCARD_STATE_EMPTY) !== 0) {
          this.sink.event(call.endLine, reader, 0, 'card-removed');
          this.reader(reader).lastAtr = undefined;
        }
      }
      if ((event & SCARD_STATE_PRESENT) === 0) continue;
      const atr = this.buffer(call, after + 3, 'ATR');
      if (atr && atr.bytes.length > 0) this.atr(call, reader, atr.bytes);
    }
  }

  private atr(call: PcscSpyCall, device: string, atr: Uint8Array): void {
    const knowledge = this.reader(device);
    const hex = toHex(atr);
    if (knowledge.lastAtr === hex) return;
    knowledge.lastAtr = hex;
    const frame = call.endLine;
    this.sink.packet({ frame, timeNs: this.timeNs(call.endUs), device, slot: 0, kind: 'atr', bytes: atr, truncated: false });
    this.sink.atr(frame, device, 0, atr);
  }

  private failed(call: PcscSpyCall): void {
    const ms = Math.round(call.endUs - call.startUs) / 1000;
    this.problem(call.line, {
      code: 'pcsc-error',
      message: `line ${call.line}: ${call.name} failed: ${resultName(call)} after ${ms} ms`,
      severity: 'warning',
    });
  }

  /** The reader a card handle was connected to, or the handle itself when the log does not say. */
  private deviceOf(handleText: string): string {
    const handle = handleKey(handleText);
    const reader = this.handles.get(handle);
    if (reader !== undefined) return reader;
    const name = `handle ${handle}`;
    this.reader(name);
    return name;
  }

  private reader(name: string): ReaderKnowledge {
    let knowledge = this.readers.get(name);
    if (!knowledge) {
      if (this.readers.size >= MAX_READERS) this.readers.clear();
      knowledge = { lastAtr: undefined, features: new Map() };
      this.readers.set(name, knowledge);
      this.sink.device(name);
    }
    return knowledge;
  }

  /**
   * The buffer whose length line is args[at] and hex line args[at + 1]. `short` when the hex holds
   * fewer bytes than the length says (the log was cut inside it).
   */
  private buffer(call: PcscSpyCall, at: number, what: string): { bytes: Uint8Array; short: boolean } | undefined {
    const length = hexNumber(call.args[at] ?? '');
    const text = call.args[at + 1];
    if (length === undefined || text === undefined) return this.badArgument(call, what);
    if (text === 'NULL') return { bytes: new Uint8Array(0), short: length > 0 };
    const bytes = spacedHex(text);
    if (!bytes) return this.badArgument(call, what);
    if (bytes.length !== length) {
      this.problem(call.line, {
        code: 'length-mismatch',
        message: `line ${call.line}: ${call.name}'s ${what} says ${length} bytes and holds ${bytes.length}`,
        severity: 'warning',
      });
    }
    return { bytes, short: bytes.length < length };
  }

  private badCall(call: PcscSpyCall, expected: number): void {
    this.problem(call.line, {
      code: 'bad-call',
      message: `line ${call.line}: ${call.name} has ${call.args.length} argument lines, not the ${expected} pcsc-spy writes; skipped`,
      severity: 'error',
    });
  }

  private badArgument(call: PcscSpyCall, what: string): undefined {
    this.problem(call.line, {
      code: 'bad-call',
      message: `line ${call.line}: ${call.name}'s ${what} is unreadable; skipped`,
      severity: 'error',
    });
    return undefined;
  }

  private problem(frame: number, problem: Problem): void {
    this.sink.problem(frame, problem);
  }

  private timeNs(us: number): number {
    return (us - this.baseUs!) * 1000;
  }
}

/** `SCARD_E_NO_SMARTCARD (0x8010000C)`, or the log's own words for a code we have no name for. */
function resultName(call: PcscSpyCall): string {
  const hex = hexLiteral(call.result, 8);
  const name = PCSC_ERROR_NAMES[call.result >>> 0] ?? call.resultText?.replace(/\.$/, '') ?? 'PC/SC error';
  return `${name} (${hex})`;
}

/** Handles as pcsc-spy writes them (0x%08lX), uppercase: the same handle always reads the same. */
function handleKey(text: string): string {
  return text.toUpperCase().replace(/^0X/, '0x');
}

/** `0x%08lX` as pcsc-spy writes a number: its low 32 bits (a negative LONG takes 16 digits). */
function hexNumber(text: string): number | undefined {
  if (!/^0x[0-9A-Fa-f]{1,16}$/.test(text)) return undefined;
  return parseInt(text.slice(Math.max(2, text.length - 8)), 16);
}

/** `00 A4 04 00 ` (pcsc-spy's buffer line) → bytes; undefined when it is not that. */
export function spacedHex(text: string): Uint8Array | undefined {
  const out = new Uint8Array(((text.length + 1) / 3) | 0);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      i++;
      continue;
    }
    const hi = nibble(c);
    const lo = nibble(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0 || n >= out.length) return undefined;
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  return out.subarray(0, n);
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
