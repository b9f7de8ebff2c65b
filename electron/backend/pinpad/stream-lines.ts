/**
 * Lines from a stream (standard input through a pipe), one at a time, for input that is not
 * typed at a terminal: the simulated keypad's entries and the software path's PINs in `cardbench
 * pin`. Bounded: a line longer than the cap is cut and marked, never kept whole, and what it held
 * is never repeated (it may be a mistyped PIN). Reading starts on the first request.
 */

export const NO_LINE_BEFORE_TIMEOUT = Symbol('timeout');
export const LINE_WAIT_STOPPED = Symbol('stopped');

/** Lines read ahead at most (then the stream is paused): a flood of input never piles up. */
const MAX_LINES_AHEAD = 64;

export type NextLine = { line: string; cut: boolean } | undefined | typeof NO_LINE_BEFORE_TIMEOUT | typeof LINE_WAIT_STOPPED;

export class StreamLines {
  private partial = '';
  private partialCut = false;
  private readonly ready: { line: string; cut: boolean }[] = [];
  private ended = false;
  private started = false;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer | string): void => this.take(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  private readonly onEnd = (): void => {
    if (this.partial !== '' || this.partialCut) this.ready.push({ line: this.partial, cut: this.partialCut });
    this.partial = '';
    this.ended = true;
    this.wake?.();
  };

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly maxLineLength = 256,
  ) {}

  /**
   * The next line without its end of line; undefined once the input has ended; the timeout
   * symbol after `timeoutMs`; the stopped symbol when `stop` resolves first.
   */
  async next(options: { timeoutMs?: number; stop?: Promise<void> } = {}): Promise<NextLine> {
    this.start();
    for (;;) {
      const line = this.ready.shift();
      if (this.ready.length < MAX_LINES_AHEAD && !this.ended) this.stream.resume();
      if (line) return line;
      if (this.ended) return undefined;
      const woken = new Promise<'data'>((resolve) => (this.wake = () => resolve('data')));
      const waits: Promise<'data' | 'timeout' | 'stop'>[] = [woken];
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (options.timeoutMs !== undefined)
        waits.push(new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs))));
      if (options.stop) waits.push(options.stop.then(() => 'stop' as const));
      const why = await Promise.race(waits);
      clearTimeout(timer);
      this.wake = undefined;
      if (why === 'timeout') return NO_LINE_BEFORE_TIMEOUT;
      if (why === 'stop') return LINE_WAIT_STOPPED;
    }
  }

  /** Stops reading, so the stream no longer holds the process open. */
  close(): void {
    if (!this.started) return;
    this.stream.removeListener('data', this.onData);
    this.stream.removeListener('end', this.onEnd);
    this.stream.pause();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.stream.on('data', this.onData);
    this.stream.once('end', this.onEnd);
    this.stream.resume();
  }

  private take(text: string): void {
    for (const char of text) {
      if (char === '\n') {
        this.ready.push({ line: this.partial.replace(/\r$/, ''), cut: this.partialCut });
        this.partial = '';
        this.partialCut = false;
      } else if (this.partial.length < this.maxLineLength) {
        this.partial += char;
      } else {
        this.partialCut = true;
      }
    }
    if (this.ready.length >= MAX_LINES_AHEAD) this.stream.pause();
    this.wake?.();
  }
}
