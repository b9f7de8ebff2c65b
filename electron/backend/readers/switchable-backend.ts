/**
 * A reader backend that can be turned on and off while the app runs (the built-in virtual
 * reader: on by default, off in settings or with --no-virtual). Off, it lists nothing and says
 * why; on, it forwards everything to a backend created fresh from the factory.
 */
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type {
  BackendReader,
  Disposition,
  ReaderBackend,
  ReaderBackendKind,
  ReaderCallOptions,
  ReaderTransmitOptions,
  SecurePinAnswer,
  SecurePinEntry,
} from '../reader-backend.js';

export class SwitchableBackend implements ReaderBackend {
  private inner: ReaderBackend | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly kind: ReaderBackendKind,
    private readonly create: () => ReaderBackend,
    private readonly offReason: string,
    enabled: boolean,
  ) {
    if (enabled) this.switchOn();
  }

  get enabled(): boolean {
    return this.inner !== undefined;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.enabled) return;
    if (enabled) this.switchOn();
    else {
      const inner = this.inner;
      this.unsubscribe?.();
      this.inner = undefined;
      await inner?.dispose();
    }
    this.changed();
  }

  status(): BackendStatus {
    return this.inner ? this.inner.status() : { available: false, reason: this.offReason };
  }
  readers(): BackendReader[] {
    return this.inner?.readers() ?? [];
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async settled(): Promise<void> {
    await this.inner?.settled();
  }
  transmit(reader: string, apdu: Uint8Array, options?: ReaderTransmitOptions) {
    return this.on().transmit(reader, apdu, options);
  }
  control(reader: string, controlCode: number, data: Uint8Array, options?: ReaderCallOptions): Promise<Uint8Array> {
    const inner = this.on();
    if (!inner.control) return Promise.reject(new CardbenchError('operation-failed', `${reader} has no control channel.`));
    return inner.control(reader, controlCode, data, options);
  }
  securePinEntry(reader: string, entry: SecurePinEntry): Promise<SecurePinAnswer> {
    const inner = this.on();
    if (!inner.securePinEntry) return Promise.reject(new CardbenchError('operation-failed', `${reader} has no CCID PIN entry.`));
    return inner.securePinEntry(reader, entry);
  }
  async abortPinEntry(reader: string): Promise<boolean> {
    return (await this.inner?.abortPinEntry?.(reader)) ?? false;
  }
  ccidDescriptor(reader: string): Uint8Array | undefined {
    return this.inner?.ccidDescriptor?.(reader);
  }
  disconnect(reader: string, disposition?: Disposition): Promise<void> {
    return this.on().disconnect(reader, disposition);
  }
  async dispose(): Promise<void> {
    await this.setEnabled(false);
    this.listeners.clear();
  }

  private on(): ReaderBackend {
    if (!this.inner) throw new CardbenchError('unavailable', this.offReason);
    return this.inner;
  }

  private switchOn(): void {
    this.inner = this.create();
    this.unsubscribe = this.inner.onChange(() => this.changed());
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
