/**
 * PC/SC as a ReaderBackend: the reader monitor and reusable connections of PcscService behind
 * the interface the hub multiplexes. When the pcsclite binding cannot load, the backend is still
 * there, unavailable, with the reason — the app and the CLI degrade, never crash.
 */
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { PcscLiteFactory } from '../pcsc/pcsc-binding.js';
import { loadPcscLite } from '../pcsc/pcsc-probe.js';
import { PcscService } from '../pcsc/pcsc-service.js';
import type {
  BackendReader,
  Disposition,
  ReaderBackend,
  ReaderCallOptions,
  ReaderTransmitOptions,
  ReaderTransmitResult,
} from '../reader-backend.js';

export class PcscReaderBackend implements ReaderBackend {
  readonly kind = 'pcsc' as const;
  readonly service: PcscService;

  constructor(factory: PcscLiteFactory, retryMs?: number) {
    this.service = new PcscService(factory, retryMs);
  }

  status(): BackendStatus {
    const service = this.service.snapshot().service;
    return service.running ? { available: true } : { available: false, reason: service.reason };
  }

  readers(): BackendReader[] {
    return this.service.snapshot().readers.map(({ name, cardPresent, atr }) => ({ name, cardPresent, atr }));
  }

  onChange(listener: () => void): () => void {
    return this.service.monitor.onChange(() => listener());
  }

  async settled(): Promise<void> {
    await this.service.monitor.settled();
  }

  transmit(reader: string, apdu: Uint8Array, options: ReaderTransmitOptions = {}): Promise<ReaderTransmitResult> {
    return this.service.transmit(reader, apdu, options);
  }

  control(reader: string, controlCode: number, data: Uint8Array, options: ReaderCallOptions = {}): Promise<Uint8Array> {
    return this.service.control(reader, controlCode, data, options);
  }

  disconnect(reader: string, disposition?: Disposition): Promise<void> {
    return this.service.disconnect(reader, disposition);
  }

  dispose(): Promise<void> {
    return this.service.dispose();
  }
}

/** A backend that only says why PC/SC is missing (no pcsclite binary for this platform, …). */
export class UnavailableReaderBackend implements ReaderBackend {
  constructor(
    readonly kind: ReaderBackend['kind'],
    private readonly why: BackendStatus,
  ) {}
  status(): BackendStatus {
    return this.why;
  }
  readers(): BackendReader[] {
    return [];
  }
  onChange(): () => void {
    return () => undefined;
  }
  settled(): Promise<void> {
    return Promise.resolve();
  }
  transmit(): Promise<ReaderTransmitResult> {
    return Promise.reject(new CardbenchError('unavailable', this.why.reason ?? `${this.kind} is not available.`));
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export function createPcscReaderBackend(retryMs?: number): ReaderBackend {
  const binding = loadPcscLite();
  return binding.ok ? new PcscReaderBackend(binding.factory, retryMs) : new UnavailableReaderBackend('pcsc', binding.status);
}
