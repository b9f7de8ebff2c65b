import { fromHex, toHex } from '#core/bytes/hex.js';
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type {
  BackendReader,
  Disposition,
  ReaderBackend,
  ReaderBackendKind,
  ReaderTransmitResult,
} from '../../../../../electron/backend/reader-backend.js';

/** A scripted backend: readers you set, answers by command hex, every call recorded. */
export class FakeReaderBackend implements ReaderBackend {
  status: () => BackendStatus = () => ({ available: true });
  list: BackendReader[] = [];
  answers = new Map<string, string>();
  sent: string[] = [];
  disconnects: { reader: string; disposition: Disposition | undefined }[] = [];
  controls = new Map<number, Uint8Array>();
  private listeners = new Set<() => void>();
  disposed = false;

  constructor(readonly kind: ReaderBackendKind) {}

  readers(): BackendReader[] {
    return this.list;
  }
  set(list: BackendReader[]): void {
    this.list = list;
    for (const l of this.listeners) l();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  settled(): Promise<void> {
    return Promise.resolve();
  }
  transmit(reader: string, apdu: Uint8Array): Promise<ReaderTransmitResult> {
    const hex = toHex(apdu);
    this.sent.push(`${reader}:${hex}`);
    const answer = this.answers.get(hex);
    if (answer === 'REMOVED')
      return Promise.reject(
        new CardbenchError('operation-failed', 'Sending the APDU failed: SCARD_W_REMOVED_CARD (0x80100069). The card was removed.'),
      );
    return Promise.resolve({ response: fromHex(answer ?? '6D00'), ms: 0.25, protocol: 'T=1' });
  }
  control(_reader: string, code: number): Promise<Uint8Array> {
    const answer = this.controls.get(code);
    return answer ? Promise.resolve(answer) : Promise.reject(new Error('SCardControl failed: SCARD_E_UNSUPPORTED_FEATURE'));
  }
  disconnect(reader: string, disposition?: Disposition): Promise<void> {
    this.disconnects.push({ reader, disposition });
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }
}
