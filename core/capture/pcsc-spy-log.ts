/**
 * The raw log pcsc-lite's spy library (libpcscspy, src/spy/libpcscspy.c) writes to its FIFO —
 * what `cat ~/pcsc-spy > log` records — cut into PC/SC calls. Every line is `THREAD@TEXT`
 * (THREAD = pthread id in hex). A call is
 *   `THREAD@>|sec|usec|SCardTransmit`, its argument lines, `THREAD@<|sec|usec|SCardTransmit|[text|]0xRESULT`
 * (pcsc-lite 1.9.9 writes the result's text before its code, later versions only the code).
 * Threads write whole lines but their calls interleave, so calls are assembled per thread.
 *
 * Bad input never throws and never makes memory follow the input: a line longer than
 * MAX_SPY_LINE, a call longer than MAX_CALL_TEXT, more than MAX_OPEN_CALLS threads inside a call
 * are problems (with the line number), and the rest of the log is read on.
 */
import type { Problem } from '../dissect/node.js';
import type { ByteSink } from './byte-source.js';
import { decodeUtf8 } from './text-decode.js';

/** The longest line read: an extended response of 65,538 bytes is 196,614 characters of hex. */
export const MAX_SPY_LINE = 256 * 1024;
/** The most argument text one call keeps (two full extended APDUs fit). */
export const MAX_CALL_TEXT = 512 * 1024;
/** Threads that may be inside a call at the same time. */
export const MAX_OPEN_CALLS = 64;

/** One PC/SC call as the spy logged it. */
export interface PcscSpyCall {
  /** pthread id as written (hex). */
  thread: string;
  /** e.g. `SCardTransmit`. */
  name: string;
  /** 1-based line numbers of the call's `>` and `<` lines. */
  line: number;
  endLine: number;
  /** Wall-clock microseconds since the epoch (sec × 10⁶ + usec) when the call began and returned. */
  startUs: number;
  endUs: number;
  /** The argument lines between them, without the `THREAD@` prefix. */
  args: string[];
  /** The PC/SC return code. */
  result: number;
  /** The result's text when the log carries it (`Command successful.`). */
  resultText: string | undefined;
}

export interface PcscSpyLogHandlers {
  call(call: PcscSpyCall): void;
  /** `line` is the 1-based line number (the frame number traces use for spy logs). */
  problem(line: number | undefined, problem: Problem): void;
}

interface OpenCall {
  name: string;
  line: number;
  startUs: number;
  args: string[];
  textLength: number;
  overflow: boolean;
}

const NEWLINE = 0x0a;

export class PcscSpyLogReader implements ByteSink {
  private partial: Uint8Array[] = [];
  private partialLength = 0;
  private overlong = false;
  private lineNumber = 0;
  private readonly open = new Map<string, OpenCall>();
  private ended = false;
  /** Complete calls so far. */
  calls = 0;

  constructor(private readonly handlers: PcscSpyLogHandlers) {}

  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      // A line inside the chunk is read from it; one that began in an earlier chunk was kept.
      if (this.partialLength === 0 && !this.overlong && newline - start <= MAX_SPY_LINE) this.endLine(chunk.subarray(start, newline));
      else {
        this.keep(chunk.subarray(start, newline));
        this.endLine();
      }
      start = newline + 1;
    }
  }

  end(): void {
    if (this.ended) return;
    if (this.partialLength > 0 || this.overlong) this.endLine();
    this.ended = true;
    for (const [thread, call] of this.open) {
      this.handlers.problem(call.line, {
        code: 'call-unfinished',
        message: `line ${call.line}: ${call.name} of thread ${thread} has no return line (the log ends inside it)`,
        severity: 'warning',
      });
    }
    this.open.clear();
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.overlong) return;
    if (this.partialLength + bytes.length > MAX_SPY_LINE) {
      this.overlong = true;
      this.partial = [];
      this.partialLength = 0;
      return;
    }
    // The chunk may be reused by the caller once push returns: copy.
    this.partial.push(bytes.slice());
    this.partialLength += bytes.length;
  }

  private endLine(whole?: Uint8Array): void {
    const number = ++this.lineNumber;
    if (this.overlong) {
      this.overlong = false;
      this.problem(number, 'line-too-long', `line ${number} is longer than ${MAX_SPY_LINE} bytes; skipped`, 'error');
      return;
    }
    const bytes = whole ?? (this.partial.length === 1 ? this.partial[0]! : joined(this.partial, this.partialLength));
    this.partial = [];
    this.partialLength = 0;
    let text = lineText(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.length > 0) this.line(number, text);
  }

  private line(number: number, text: string): void {
    const at = text.indexOf('@');
    if (at <= 0 || !/^[0-9A-Fa-f]+$/.test(text.slice(0, at))) {
      this.problem(number, 'bad-line', `line ${number} is not a pcsc-spy line (THREAD@…); skipped`, 'error');
      return;
    }
    const thread = text.slice(0, at);
    const body = text.slice(at + 1);
    if (body.startsWith('>|')) this.enter(number, thread, body);
    else if (body.startsWith('<|')) this.quit(number, thread, body);
    else this.argument(number, thread, body);
  }

  private enter(number: number, thread: string, body: string): void {
    const fields = body.split('|');
    const startUs = fields.length === 4 ? microseconds(fields[1]!, fields[2]!) : undefined;
    if (startUs === undefined || !isFunctionName(fields[3]!)) {
      this.problem(number, 'bad-line', `line ${number}: a call line must read >|sec|usec|Function; skipped`, 'error');
      return;
    }
    const unfinished = this.open.get(thread);
    if (unfinished) {
      this.problem(
        unfinished.line,
        'call-unfinished',
        `line ${unfinished.line}: ${unfinished.name} of thread ${thread} has no return line before line ${number}`,
        'warning',
      );
      this.open.delete(thread);
    }
    if (this.open.size >= MAX_OPEN_CALLS) {
      this.problem(
        number,
        'too-many-threads',
        `line ${number}: more than ${MAX_OPEN_CALLS} threads inside a call at once; this call is skipped`,
        'error',
      );
      return;
    }
    this.open.set(thread, { name: fields[3]!, line: number, startUs, args: [], textLength: 0, overflow: false });
  }

  private argument(number: number, thread: string, body: string): void {
    const call = this.open.get(thread);
    if (!call) {
      this.problem(number, 'bad-line', `line ${number}: an argument line of thread ${thread} outside any call; skipped`, 'warning');
      return;
    }
    if (call.overflow) return;
    if (call.textLength + body.length > MAX_CALL_TEXT) {
      call.overflow = true;
      call.args = [];
      this.problem(
        call.line,
        'call-too-long',
        `line ${call.line}: ${call.name} has more than ${MAX_CALL_TEXT} bytes of arguments; skipped`,
        'error',
      );
      return;
    }
    call.args.push(body);
    call.textLength += body.length;
  }

  private quit(number: number, thread: string, body: string): void {
    const fields = body.split('|');
    const endUs = fields.length === 5 || fields.length === 6 ? microseconds(fields[1]!, fields[2]!) : undefined;
    const code = fields[fields.length - 1]!;
    if (endUs === undefined || !/^0x[0-9A-Fa-f]{1,16}$/.test(code)) {
      this.problem(number, 'bad-line', `line ${number}: a return line must read <|sec|usec|Function|[text|]0xCODE; skipped`, 'error');
      return;
    }
    const call = this.open.get(thread);
    if (!call || call.name !== fields[3]) {
      this.problem(
        number,
        'bad-line',
        `line ${number}: ${printable(fields[3]!)} returns in thread ${thread} but was not called there; skipped`,
        'warning',
      );
      return;
    }
    this.open.delete(thread);
    if (call.overflow) return;
    this.calls++;
    this.handlers.call({
      thread,
      name: call.name,
      line: call.line,
      endLine: number,
      startUs: call.startUs,
      endUs,
      args: call.args,
      // pcsc-lite prints a LONG as 0x%08lX: a negative value takes 16 digits; the code is its low 32 bits.
      result: parseInt(code.slice(Math.max(2, code.length - 8)), 16),
      resultText: fields.length === 6 ? fields[4] : undefined,
    });
  }

  private problem(line: number, code: string, message: string, severity: 'warning' | 'error'): void {
    this.handlers.problem(line, { code, message, severity });
  }
}

/** A line's text: nearly all are ASCII (hex, numbers, names), read without the UTF-8 decoder's per-byte work. */
function lineText(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return decodeUtf8(bytes);
  let text = '';
  for (let at = 0; at < bytes.length; at += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(at, at + 8192) as unknown as number[]);
  }
  return text;
}

function microseconds(sec: string, usec: string): number | undefined {
  if (!/^\d{1,12}$/.test(sec) || !/^\d{1,7}$/.test(usec)) return undefined;
  return Number(sec) * 1_000_000 + Number(usec);
}

function isFunctionName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name);
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

function joined(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
