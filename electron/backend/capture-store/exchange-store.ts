/**
 * The APDU exchanges of an open capture, stored as typed columns and their bytes in a
 * ByteArena: ~40 bytes an exchange plus its bytes, where a TraceExchange object with its hex
 * strings costs ten times that (a 1 GB capture has half a million exchanges). The report's form
 * of an exchange (traceExchangeOf: hex, status word, times in ms) is made when asked for.
 */
import { traceExchangeOf, type TraceExchange, type TraceRawExchange } from '#core/trace/index.js';
import { ByteArena } from './byte-arena.js';

/** Grows typed columns by half again: a column is at most 1.5× its rows, never twice. */
export function grownSize(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5), 1024);
}

/** A copy of `old` in a new array of `size` elements (a grown column). */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T, size: number): T {
  const next = make(size);
  next.set(old as never);
  return next;
}

export class ExchangeStore {
  length = 0;
  private capacity = 0;
  private device = new Uint16Array(0);
  private slot = new Uint8Array(0);
  private truncated = new Uint8Array(0);
  private commandFrames = new Uint32Array(0);
  private responseFrames = new Uint32Array(0);
  private commandTimeNs = new Float64Array(0);
  private responseEndNs = new Float64Array(0);
  private address = new Float64Array(0);
  private commandLength = new Uint32Array(0);
  private responseLength = new Uint32Array(0);
  private readonly bytes = new ByteArena();

  /**
   * @param deviceIndex the session's number for a device name (names are stored as numbers)
   * @param deviceName the name back from its number
   */
  constructor(
    private readonly deviceIndex: (name: string) => number,
    private readonly deviceName: (index: number) => string,
  ) {}

  /** Adds the next exchange (TraceExchange.index = length after the call). */
  add(e: TraceRawExchange): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.device[i] = this.deviceIndex(e.device);
    this.slot[i] = e.slot;
    this.truncated[i] = e.truncated ? 1 : 0;
    this.commandFrames[i] = e.commandFrame;
    this.responseFrames[i] = e.responseFrame;
    this.commandTimeNs[i] = e.commandTimeNs;
    this.responseEndNs[i] = e.responseEndNs;
    this.commandLength[i] = e.command.length;
    this.responseLength[i] = e.response.length;
    this.address[i] = this.bytes.addPair(e.command, e.response);
  }

  /** Exchange `index` (TraceExchange.index, 1-based) in the report's form, or undefined. */
  at(index: number): TraceExchange | undefined {
    const i = index - 1;
    if (i < 0 || i >= this.length) return undefined;
    return traceExchangeOf(this.raw(i));
  }

  /** Every exchange whose command frame lies in [low, high] (all of them without bounds), in the report's form. */
  list(low = -Infinity, high = Infinity): TraceExchange[] {
    const out: TraceExchange[] = [];
    for (let i = 0; i < this.length; i++) {
      const frame = this.commandFrames[i]!;
      if (frame >= low && frame <= high) out.push(traceExchangeOf(this.raw(i)));
    }
    return out;
  }

  /** The command APDU of exchange `index` (a view of the stored bytes). */
  command(index: number): Uint8Array {
    const i = index - 1;
    return this.bytes.get(this.address[i]!, this.commandLength[i]!);
  }

  commandFrame(index: number): number {
    return this.commandFrames[index - 1] ?? 0;
  }

  /** TraceExchange.timeMs of exchange `index`. */
  timeMs(index: number): number {
    return Math.round((this.commandTimeNs[index - 1] ?? 0) / 1000) / 1000;
  }

  /** Bytes held: columns and exchange bytes (what a memory budget counts). */
  get byteLength(): number {
    return this.capacity * 40 + this.bytes.byteLength;
  }

  private raw(i: number): TraceRawExchange {
    const both = this.bytes.get(this.address[i]!, this.commandLength[i]! + this.responseLength[i]!);
    return {
      index: i + 1,
      device: this.deviceName(this.device[i]!),
      slot: this.slot[i]!,
      command: both.subarray(0, this.commandLength[i]!),
      response: both.subarray(this.commandLength[i]!),
      commandFrame: this.commandFrames[i]!,
      responseFrame: this.responseFrames[i]!,
      commandTimeNs: this.commandTimeNs[i]!,
      responseEndNs: this.responseEndNs[i]!,
      truncated: this.truncated[i] === 1,
    };
  }

  private grow(): void {
    const size = grownSize(this.capacity, this.length + 1);
    this.device = grown(this.device, (n) => new Uint16Array(n), size);
    this.slot = grown(this.slot, (n) => new Uint8Array(n), size);
    this.truncated = grown(this.truncated, (n) => new Uint8Array(n), size);
    this.commandFrames = grown(this.commandFrames, (n) => new Uint32Array(n), size);
    this.responseFrames = grown(this.responseFrames, (n) => new Uint32Array(n), size);
    this.commandTimeNs = grown(this.commandTimeNs, (n) => new Float64Array(n), size);
    this.responseEndNs = grown(this.responseEndNs, (n) => new Float64Array(n), size);
    this.address = grown(this.address, (n) => new Float64Array(n), size);
    this.commandLength = grown(this.commandLength, (n) => new Uint32Array(n), size);
    this.responseLength = grown(this.responseLength, (n) => new Uint32Array(n), size);
    this.capacity = size;
  }
}
