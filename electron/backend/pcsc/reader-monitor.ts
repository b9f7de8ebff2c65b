/**
 * Live view of PC/SC readers and their cards that survives pcscd being absent at start, killed
 * and restarted: a dead binding instance is closed and a new one is tried every `retryMs`
 * (pcsc-lite needs a fresh context after the daemon comes back).
 */
import { toHex } from '#core/bytes/hex.js';
import { READER_STATE, type PcscLiteFactory, type PcscLiteInstance, type PcscLiteReader } from './pcsc-binding.js';
import { describePcscFailure } from './pcsc-errors.js';
import { whenReaderIdle } from './reader-calls.js';

export interface ReaderSnapshot {
  name: string;
  cardPresent: boolean;
  /** Uppercase hex, or null without a card. */
  atr: string | null;
  /** True once the binding reported this reader's first status (before that, card state is unknown). */
  known: boolean;
}

export type ServiceState = { running: true } | { running: false; reason: string };

export interface MonitorSnapshot {
  service: ServiceState;
  readers: ReaderSnapshot[];
}

export class ReaderMonitor {
  private instance: PcscLiteInstance | undefined;
  private readonly readers = new Map<string, { binding: PcscLiteReader; snapshot: ReaderSnapshot }>();
  private service: ServiceState = { running: false, reason: 'PC/SC not checked yet' };
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(snapshot: MonitorSnapshot) => void>();
  private stopped = false;

  constructor(
    private readonly factory: PcscLiteFactory,
    private readonly retryMs = 1000,
  ) {}

  start(): this {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.drop();
  }

  snapshot(): MonitorSnapshot {
    return { service: this.service, readers: [...this.readers.values()].map((r) => r.snapshot) };
  }

  /** The binding's reader object, for opening a connection. */
  binding(name: string): PcscLiteReader | undefined {
    return this.readers.get(name)?.binding;
  }

  onChange(listener: (snapshot: MonitorSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every listed reader has reported its card state (or after timeoutMs). */
  async settled(timeoutMs = 2000): Promise<MonitorSnapshot> {
    const deadline = Date.now() + timeoutMs;
    // The binding lists readers one poll after the context opens; give it that poll before trusting an empty list.
    await new Promise((resolve) => setTimeout(resolve, 150));
    while (Date.now() < deadline && [...this.readers.values()].some((r) => !r.snapshot.known)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.snapshot();
  }

  private connect(): void {
    if (this.stopped) return;
    let instance: PcscLiteInstance;
    try {
      instance = this.factory();
    } catch (error) {
      this.setService({ running: false, reason: reasonOf(error) });
      this.scheduleRetry();
      return;
    }
    this.instance = instance;
    this.setService({ running: true });
    instance.on('reader', (reader) => this.addReader(reader));
    instance.on('error', (error) => {
      // The instance is dead (pcscd stopped or crashed): forget its readers and start over.
      if (this.instance !== instance) return;
      this.drop();
      this.setService({ running: false, reason: reasonOf(error) });
      this.scheduleRetry();
    });
  }

  private addReader(reader: PcscLiteReader): void {
    const entry = { binding: reader, snapshot: { name: reader.name, cardPresent: false, atr: null, known: false } as ReaderSnapshot };
    this.readers.set(reader.name, entry);
    reader.on('error', () => undefined);
    reader.on('status', (status) => {
      const cardPresent = (status.state & READER_STATE.PRESENT) !== 0;
      entry.snapshot = {
        name: reader.name,
        cardPresent,
        atr: cardPresent && status.atr && status.atr.length > 0 ? toHex(new Uint8Array(status.atr)) : null,
        known: true,
      };
      this.emit();
    });
    reader.on('end', () => {
      if (this.readers.get(reader.name) === entry) this.readers.delete(reader.name);
      this.emit();
    });
    this.emit();
  }

  private drop(): void {
    const instance = this.instance;
    this.instance = undefined;
    for (const { binding } of this.readers.values()) {
      binding.on('error', () => undefined);
      // Closing takes the reader's mutex, which a blocked transmit holds: that would freeze this thread.
      whenReaderIdle(binding, () => binding.close());
    }
    this.readers.clear();
    if (instance) {
      instance.on('error', () => undefined);
      instance.close();
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.retryMs);
    this.retryTimer.unref?.();
  }

  private setService(service: ServiceState): void {
    const changed = JSON.stringify(service) !== JSON.stringify(this.service);
    this.service = service;
    if (changed) this.emit();
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }
}

function reasonOf(error: unknown): string {
  const failure = describePcscFailure(error instanceof Error ? error.message : String(error));
  return failure.name === 'SCARD_E_NO_SERVICE' ? failure.advice : `${failure.name}: ${failure.advice}`;
}
