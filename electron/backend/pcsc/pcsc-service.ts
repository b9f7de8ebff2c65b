/**
 * Readers and APDUs over PC/SC for the contract and the CLI: the reader monitor plus one
 * reusable connection per reader (a console sends many APDUs; reconnecting for each would reset
 * the card's state in exclusive mode and cost a round trip in shared mode).
 */
import { CardbenchError } from '#core/ipc/errors.js';
import type { PcscLiteFactory } from './pcsc-binding.js';
import { CallStoppedError, throwIfStopped } from '../abortable.js';
import { CardConnection, type Disposition, type ProtocolChoice, type ShareMode } from './card-connection.js';
import { ReaderMonitor, type MonitorSnapshot } from './reader-monitor.js';

export interface TransmitOptions {
  share?: ShareMode;
  protocol?: ProtocolChoice;
  /** Stops the wait (see CardConnection): the call rejects with CallStoppedError. */
  signal?: AbortSignal;
}

export interface TransmitResult {
  response: Uint8Array;
  /** Wall time of the SCardTransmit call alone, in milliseconds. */
  ms: number;
  protocol: CardConnection['protocol'];
}

export class PcscService {
  readonly monitor: ReaderMonitor;
  private readonly connections = new Map<string, { connection: CardConnection; key: string }>();

  constructor(factory: PcscLiteFactory, retryMs?: number) {
    this.monitor = new ReaderMonitor(factory, retryMs).start();
    // A reader that disappears (or a dead pcscd) invalidates its connection.
    this.monitor.onChange((snapshot) => {
      const names = new Set(snapshot.readers.filter((r) => r.cardPresent).map((r) => r.name));
      for (const name of this.connections.keys()) if (!names.has(name)) void this.disconnect(name);
    });
  }

  snapshot(): MonitorSnapshot {
    return this.monitor.snapshot();
  }

  async transmit(readerName: string, apdu: Uint8Array, options: TransmitOptions = {}): Promise<TransmitResult> {
    throwIfStopped(options.signal, `the answer of the card in ${readerName}`);
    const connection = await this.connection(readerName, options);
    const started = performance.now();
    try {
      const response = await connection.transmit(apdu, options.signal);
      return { response, ms: performance.now() - started, protocol: connection.protocol };
    } catch (error) {
      // The card was reset, removed or the reader vanished (or the caller stopped waiting): release
      // the handle; the next call reconnects.
      await this.disconnect(readerName);
      throw error;
    }
  }

  async control(readerName: string, controlCode: number, data: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    throwIfStopped(options.signal, `${readerName} to answer SCardControl`);
    const snapshot = this.monitor.snapshot().readers.find((r) => r.name === readerName);
    // Without a card only direct mode can talk to the reader (e.g. GET_FEATURE_REQUEST).
    const share: ShareMode = snapshot?.cardPresent ? 'shared' : 'direct';
    const connection = await this.connection(readerName, { share, ...(options.signal ? { signal: options.signal } : {}) });
    try {
      return await connection.control(controlCode, data, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (options.signal?.aborted) await this.disconnect(readerName);
      throw error;
    }
  }

  async disconnect(readerName: string, disposition: Disposition = 'leave'): Promise<void> {
    const entry = this.connections.get(readerName);
    this.connections.delete(readerName);
    await entry?.connection.close(disposition);
  }

  async dispose(): Promise<void> {
    for (const name of [...this.connections.keys()]) await this.disconnect(name);
    this.monitor.stop();
  }

  private async connection(readerName: string, options: TransmitOptions): Promise<CardConnection> {
    const key = `${options.share ?? 'shared'}/${options.protocol ?? 'any'}`;
    const existing = this.connections.get(readerName);
    if (existing && existing.key === key && existing.connection.isOpen) return existing.connection;
    if (existing) await this.disconnect(readerName);
    const service = this.monitor.snapshot().service;
    if (!service.running) throw new CardbenchError('unavailable', service.reason);
    const binding = this.monitor.binding(readerName);
    if (!binding) {
      const known = this.monitor.snapshot().readers.map((r) => r.name);
      throw new CardbenchError(
        'operation-failed',
        `No reader named "${readerName}".`,
        known.length ? `Readers: ${known.join(', ')}` : 'PC/SC lists no readers.',
      );
    }
    const connection = await CardConnection.connect(binding, options);
    if (options.signal?.aborted) {
      await connection.close();
      throw new CallStoppedError(`the connection to ${readerName}`);
    }
    this.connections.set(readerName, { connection, key });
    return connection;
  }
}
