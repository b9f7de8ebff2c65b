/**
 * Serves a CCID device over the GemPC serial framing: one command at a time, in order (the
 * driver waits for each answer), short echo first, then the answer; busy bytes while an answer
 * takes long (PIN entry), a NAK for a frame with a bad LRC, the last answer again on a NAK.
 */
import { BUSY_BYTE, encodeGemPcFrame, GemPcFrameReader, NAK_FRAME, shortEcho } from './gempc-framing.js';

/** The device side: what VirtualCcidReader offers. */
export interface CcidDevice {
  handle(message: Uint8Array): Promise<Uint8Array>;
}

export interface GemPcSerialLinkOptions {
  device: CcidDevice;
  write: (bytes: Uint8Array) => void;
  /** Short notes for a log (frame problems); never message contents. */
  log?: (line: string) => void;
  /** How often to send a busy byte while an answer is pending (default 1000 ms). */
  busyIntervalMs?: number;
}

export class GemPcSerialLink {
  private readonly reader = new GemPcFrameReader();
  private readonly options: GemPcSerialLinkOptions;
  private queue: Promise<void> = Promise.resolve();
  private lastAnswer: Uint8Array | undefined;
  private closed = false;
  private handled = 0;

  constructor(options: GemPcSerialLinkOptions) {
    this.options = options;
  }

  /** Messages answered so far. */
  get messagesHandled(): number {
    return this.handled;
  }

  /** Bytes from the host (the pty). */
  receive(chunk: Uint8Array): void {
    for (const event of this.reader.push(chunk)) {
      switch (event.type) {
        case 'message':
          this.enqueue(event.message);
          break;
        case 'bad-lrc':
          this.log('frame with a bad LRC: answered NAK');
          this.write(NAK_FRAME);
          break;
        case 'nak':
          this.log('host NAK: sending the last answer again');
          if (this.lastAnswer) this.write(this.lastAnswer);
          break;
        case 'garbage':
          this.log(`skipped ${event.bytes} byte(s): ${event.reason}`);
          break;
      }
    }
  }

  /** Resolves when every command received so far has been answered. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Stops writing at once (an answer still being prepared, e.g. a PIN entry, is dropped). */
  close(): void {
    this.closed = true;
  }

  private enqueue(message: Uint8Array): void {
    this.queue = this.queue.then(() => this.serve(message));
  }

  private async serve(message: Uint8Array): Promise<void> {
    if (this.closed) return;
    const echo = shortEcho(message);
    this.write(echo);
    const interval = this.options.busyIntervalMs ?? 1000;
    const timer = setInterval(() => this.write(Uint8Array.of(BUSY_BYTE)), interval);
    let answer: Uint8Array;
    try {
      answer = await this.options.device.handle(message);
    } catch (error) {
      // The device model never throws on hostile input; if it does, say so and stay mute for this one.
      this.log(`the reader model failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    } finally {
      clearInterval(timer);
    }
    const frame = encodeGemPcFrame(answer);
    this.lastAnswer = Uint8Array.from([...echo, ...frame]);
    this.handled++;
    this.write(frame);
  }

  private write(bytes: Uint8Array): void {
    if (!this.closed) this.options.write(bytes);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
