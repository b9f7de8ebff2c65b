/**
 * One recording of a reader session: what the reader calls of every backend did (commands,
 * answers, keypad PIN entries, card events), written to a pcapng trace as they happen. The
 * recording backends (recording-backend.ts) call it around each reader call; it decides which
 * interface a reader gets, when the card's ATR is written (the first exchange after a card was
 * connected, reset or replaced) and which events become comments.
 */
import { parseHex, toHex } from '#core/bytes/hex.js';
import { PIN_ENTRY_EVENT } from '#core/capture/exported-pdu.js';
import { SessionTraceWriter, type PinRecording, type TraceSink } from '#core/record/session-trace-writer.js';
import type { ActiveProtocol, ReaderBackendKind, SecurePinAnswer } from '../reader-backend.js';

/** Microseconds since 1970, monotonic within the recording (wall clock at the start, hrtime after). */
export function microsecondClock(): () => bigint {
  const start = BigInt(Date.now()) * 1000n;
  const hr = process.hrtime.bigint();
  return () => start + (process.hrtime.bigint() - hr) / 1000n;
}

export interface RecordedCall {
  backend: ReaderBackendKind;
  reader: string;
  /** The card's ATR as the backend lists it at the moment of asking (uppercase hex), or null. */
  atr: () => string | null;
  /** The protocol asked for (t0, t1, any), for the interface's description. */
  asked: string;
}

interface ReaderState {
  interfaceId: number;
  /** The ATR written last on this interface; null once the card went away or was reset. */
  atr: string | null;
  protocol: ActiveProtocol | undefined;
}

export interface SessionRecorderOptions {
  pins: PinRecording;
  application?: string;
  clock?: () => bigint;
  /** Called after every packet (the UI shows the count). */
  onPacket?: (packets: number) => void;
  /** Called once when the sink fails (disk full, device gone): the recording stops, the session goes on. */
  onFailure?: (message: string) => void;
}

export class SessionRecorder {
  private readonly writer: SessionTraceWriter;
  private readonly clock: () => bigint;
  private readonly readers = new Map<string, ReaderState>();
  private closed = false;
  private written = 0;
  private failure: string | undefined;

  constructor(
    private readonly sink: { write: TraceSink; close?: () => void },
    private readonly options: SessionRecorderOptions,
  ) {
    this.clock = options.clock ?? microsecondClock();
    // A file that cannot take more (disk full, device gone) ends the recording, never the session.
    this.writer = new SessionTraceWriter((chunk) => this.write(chunk), {
      pins: options.pins,
      ...(options.application ? { application: options.application } : {}),
    });
  }

  get pins(): PinRecording {
    return this.writer.pins;
  }

  /** Packets the sink took. */
  get packets(): number {
    return this.written;
  }

  /** Why the recording stopped by itself (the sink failed), or undefined. */
  get failed(): string | undefined {
    return this.failure;
  }

  get active(): boolean {
    return !this.closed;
  }

  /** An APDU exchange: the command written before it goes out, the answer when it comes back. */
  async transmit<T extends { response: Uint8Array; protocol: ActiveProtocol }>(
    call: RecordedCall,
    apdu: Uint8Array,
    run: () => Promise<T>,
  ): Promise<T> {
    if (this.closed) return run();
    const state = this.connect(call);
    this.writer.command(state.interfaceId, apdu, this.clock());
    this.packetWritten();
    let result: T;
    try {
      result = await run();
    } catch (error) {
      this.noteFailure(state, error);
      throw error;
    }
    if (this.closed) return result;
    const comments: string[] = [];
    if (result.protocol !== state.protocol) {
      comments.push(`protocol: ${result.protocol}`);
      state.protocol = result.protocol;
    }
    this.writer.response(state.interfaceId, result.response, this.clock(), comments);
    this.packetWritten();
    this.writeAtr(state, call.atr());
    return result;
  }

  /**
   * A PIN entry on the reader's keypad: the APDU template (PIN block masked unless exact) with
   * the request described in `comments`, then the card's answer; a reader error instead of an
   * answer becomes a comment on the next packet.
   */
  async pinEntry<T extends SecurePinAnswer | Uint8Array>(
    call: RecordedCall,
    template: Uint8Array,
    comments: readonly string[],
    run: () => Promise<T>,
  ): Promise<T> {
    if (this.closed) return run();
    const state = this.connect(call);
    this.writer.pinEntry(state.interfaceId, template, this.clock(), [`event: ${PIN_ENTRY_EVENT}`, ...comments]);
    this.packetWritten();
    let answer: T;
    try {
      answer = await run();
    } catch (error) {
      this.noteFailure(state, error);
      throw error;
    }
    if (this.closed) return answer;
    const outcome: SecurePinAnswer = answer instanceof Uint8Array ? { response: answer } : answer;
    if ('response' in outcome) {
      this.writer.response(state.interfaceId, outcome.response, this.clock());
      this.packetWritten();
      this.writeAtr(state, call.atr());
    } else {
      this.writer.note(state.interfaceId, `event: PIN entry ended by the reader (bError 0x${toHex(Uint8Array.of(outcome.bError))})`);
    }
    return answer;
  }

  /** The connection to a reader's card was dropped on purpose (a script's reset, the Console's disconnect). */
  disconnected(backend: ReaderBackendKind, reader: string, disposition: string): void {
    const state = this.readers.get(`${backend}:${reader}`);
    if (!state || this.closed) return;
    const what =
      disposition === 'reset' ? 'card reset' : disposition === 'unpower' ? 'card powered off' : 'disconnected (card left powered)';
    this.writer.note(state.interfaceId, `event: ${what}`);
    // After a reset or power-off the card answers to reset again: its ATR is written with the next exchange.
    if (disposition !== 'leave') state.atr = null;
    state.protocol = undefined;
  }

  /** The backend's reader list changed: a recorded reader's card that went away is an event. */
  readersChanged(backend: ReaderBackendKind, readers: readonly { name: string; cardPresent: boolean; atr: string | null }[]): void {
    if (this.closed) return;
    for (const [key, state] of this.readers) {
      if (!key.startsWith(`${backend}:`) || state.atr === null) continue;
      const name = key.slice(backend.length + 1);
      const now = readers.find((r) => r.name === name);
      if (now?.cardPresent && now.atr === state.atr) continue;
      this.writer.note(
        state.interfaceId,
        now ? (now.cardPresent ? 'event: card replaced' : 'event: card removed') : 'event: reader removed',
      );
      state.atr = null;
      state.protocol = undefined;
    }
  }

  /** Ends the recording; calls still in flight are no longer written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close?.();
  }

  private connect(call: RecordedCall): ReaderState {
    const key = `${call.backend}:${call.reader}`;
    let state = this.readers.get(key);
    if (!state) {
      const interfaceId = this.writer.interfaceOf({ reader: call.reader, backend: call.backend, protocol: call.asked });
      state = { interfaceId, atr: null, protocol: undefined };
      this.readers.set(key, state);
    }
    const atr = call.atr();
    if (atr === null && state.atr !== null) {
      // The card went before the backend's change event reached us.
      this.writer.note(state.interfaceId, 'event: card removed');
      state.atr = null;
      state.protocol = undefined;
    }
    this.writeAtr(state, atr);
    return state;
  }

  /**
   * The ATR packet when the card's ATR is new to this interface. Backends that power the card
   * inside the first call (the CCID driver: virtual reader, direct USB) know it only afterwards,
   * so it is asked again after each answer.
   */
  private writeAtr(state: ReaderState, atr: string | null): void {
    if (atr === null || atr === state.atr) return;
    const parsed = parseHex(atr);
    if (!parsed.ok) return;
    this.writer.cardConnected(state.interfaceId, parsed.bytes, this.clock());
    this.packetWritten();
    state.atr = atr;
  }

  private noteFailure(state: ReaderState, error: unknown): void {
    if (this.closed) return;
    // The message of a reader error names the reader and the failure, never the command's bytes.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    this.writer.note(state.interfaceId, `event: no answer (${message})`);
  }

  private write(chunk: Uint8Array): void {
    if (this.failure !== undefined) return;
    try {
      this.sink.write(chunk);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      this.failure = `writing failed (${code ?? (error instanceof Error ? error.message : String(error))})`;
      this.close();
      this.options.onFailure?.(this.failure);
    }
  }

  private packetWritten(): void {
    if (this.failure !== undefined) return;
    this.written++;
    this.options.onPacket?.(this.written);
  }
}
