/**
 * Every reader of every backend (PC/SC, the built-in virtual reader, direct USB) behind one
 * list and one set of operations. Readers are addressed by id `<backend>:<name>`; people may
 * also type a name, or a part of one that matches a single reader.
 */
import { hexLiteral } from '#core/bytes/hex.js';
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { CallStoppedError } from '../abortable.js';
import type {
  Disposition,
  ReaderBackend,
  ReaderBackendKind,
  ReaderCallOptions,
  ReaderTransmitOptions,
  ReaderTransmitResult,
} from '../reader-backend.js';

export interface HubReader {
  id: string;
  name: string;
  backend: ReaderBackendKind;
  cardPresent: boolean;
  atr: string | null;
}

export interface HubSnapshot {
  backends: { kind: ReaderBackendKind; status: BackendStatus }[];
  readers: HubReader[];
}

export interface ResolvedReader {
  backend: ReaderBackend;
  reader: HubReader;
}

/**
 * A reader name that matches no reader, or several. Carries the names there are (and the backends
 * that are down, which may be why) as data, so each shell lays them out its own way; the detail
 * keeps one reader per line for those that only show text.
 */
export class UnknownReaderError extends CardbenchError {
  constructor(
    readonly asked: string,
    readonly problem: 'unknown' | 'ambiguous',
    readonly candidates: readonly HubReader[],
    readonly unavailable: readonly { kind: ReaderBackendKind; reason: string }[],
  ) {
    super(
      'operation-failed',
      problem === 'ambiguous'
        ? `"${asked}" matches ${candidates.length} readers: give more of the name.`
        : candidates.length
          ? `No reader named "${asked}".`
          : `No reader named "${asked}": no reader is listed.`,
      [
        ...(candidates.length ? [problem === 'ambiguous' ? 'Matching readers:' : 'Readers:', ...candidates.map((r) => `  ${r.name}`)] : []),
        ...unavailable.map((b) => `${b.kind} is not available: ${b.reason}`),
      ].join('\n'),
    );
  }
}

export interface ReaderHubOptions {
  /**
   * Told once about a transmit or control call that has not returned after `slowCallMs`, with
   * what it waits for, so a shell can say why nothing happens (a card that stopped answering).
   */
  onSlowCall?: (waitingFor: string, ms: number) => void;
  slowCallMs?: number;
}

export class ReaderHub {
  private readonly listeners = new Set<(snapshot: HubSnapshot) => void>();
  private readonly unsubscribe: (() => void)[];
  private last = '';
  /** id and name → reader, rebuilt on every backend change: the per-APDU path must not rebuild snapshots. */
  private routes: Map<string, ResolvedReader> | undefined;

  constructor(
    readonly backends: readonly ReaderBackend[],
    private readonly options: ReaderHubOptions = {},
  ) {
    this.unsubscribe = backends.map((backend) => backend.onChange(() => this.changed()));
  }

  snapshot(): HubSnapshot {
    return {
      backends: this.backends.map((backend) => ({ kind: backend.kind, status: backend.status() })),
      readers: this.backends.flatMap((backend) =>
        backend
          .readers()
          .map((r) => ({ id: `${backend.kind}:${r.name}`, name: r.name, backend: backend.kind, cardPresent: r.cardPresent, atr: r.atr })),
      ),
    };
  }

  /** Listeners hear each distinct state once (backends report every poll; the UI wants changes). */
  onChange(listener: (snapshot: HubSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async settled(): Promise<HubSnapshot> {
    await Promise.all(this.backends.map((backend) => backend.settled()));
    return this.snapshot();
  }

  /** By id, exact name, then a case-insensitive part of a name that matches one reader only. */
  resolve(reader: string): ResolvedReader {
    const route = this.fastRoutes().get(reader);
    if (route) return route;
    const snapshot = this.snapshot();
    const all = snapshot.readers;
    const lower = reader.toLowerCase();
    const found =
      all.find((r) => r.id === reader) ??
      all.find((r) => r.name === reader) ??
      (() => {
        const partial = all.filter((r) => r.name.toLowerCase().includes(lower));
        if (partial.length > 1) throw new UnknownReaderError(reader, 'ambiguous', partial, []);
        return partial[0];
      })();
    if (!found) {
      const down = snapshot.backends
        .filter((b) => !b.status.available)
        .map((b) => ({ kind: b.kind, reason: b.status.reason ?? 'unavailable' }));
      throw new UnknownReaderError(reader, 'unknown', all, down);
    }
    const backend = this.backends.find((b) => b.kind === found.backend)!;
    return { backend, reader: found };
  }

  /** The first reader holding a card (what `send` and `run` use when no reader is named). */
  firstWithCard(): HubReader | undefined {
    return this.snapshot().readers.find((r) => r.cardPresent);
  }

  transmit(reader: string, apdu: Uint8Array, options?: ReaderTransmitOptions): Promise<ReaderTransmitResult> {
    const { backend, reader: found } = this.resolve(reader);
    if (options?.signal?.aborted) return Promise.reject(new CallStoppedError(`the answer of the card in ${found.name}`));
    return this.watched(backend.transmit(found.name, apdu, options), `the card in "${found.name}" to answer`);
  }

  control(reader: string, controlCode: number, data: Uint8Array, options?: ReaderCallOptions): Promise<Uint8Array> {
    const { backend, reader: found } = this.resolve(reader);
    if (!backend.control) {
      return Promise.reject(
        new CardbenchError('operation-failed', `The ${backend.kind} backend has no control channel for ${found.name}.`),
      );
    }
    if (options?.signal?.aborted) return Promise.reject(new CallStoppedError(`${found.name} to answer SCardControl`));
    return this.watched(
      backend.control(found.name, controlCode, data, options),
      `"${found.name}" to answer SCardControl ${hexLiteral(controlCode, 1)}`,
    );
  }

  ccidDescriptor(reader: string): Uint8Array | undefined {
    const { backend, reader: found } = this.resolve(reader);
    return backend.ccidDescriptor?.(found.name);
  }

  disconnect(reader: string, disposition?: Disposition): Promise<void> {
    const { backend, reader: found } = this.resolve(reader);
    return backend.disconnect(found.name, disposition);
  }

  async dispose(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
    await Promise.all(this.backends.map((backend) => backend.dispose()));
  }

  private watched<T>(call: Promise<T>, waitingFor: string): Promise<T> {
    const tell = this.options.onSlowCall;
    if (!tell) return call;
    const ms = this.options.slowCallMs ?? 1000;
    const timer = setTimeout(() => tell(waitingFor, ms), ms);
    timer.unref?.();
    const clear = (): void => clearTimeout(timer);
    call.then(clear, clear);
    return call;
  }

  private fastRoutes(): Map<string, ResolvedReader> {
    if (this.routes) return this.routes;
    const routes = new Map<string, ResolvedReader>();
    const names = new Map<string, number>();
    for (const backend of this.backends) {
      for (const r of backend.readers()) names.set(r.name, (names.get(r.name) ?? 0) + 1);
    }
    for (const backend of this.backends) {
      for (const r of backend.readers()) {
        const resolved = {
          backend,
          reader: { id: `${backend.kind}:${r.name}`, name: r.name, backend: backend.kind, cardPresent: r.cardPresent, atr: r.atr },
        };
        routes.set(resolved.reader.id, resolved);
        // A name shared by two backends is only reachable by id.
        if (names.get(r.name) === 1) routes.set(r.name, resolved);
      }
    }
    this.routes = routes;
    return routes;
  }

  private changed(): void {
    this.routes = undefined;
    const snapshot = this.snapshot();
    const key = JSON.stringify(snapshot);
    if (key === this.last) return;
    this.last = key;
    for (const listener of this.listeners) listener(snapshot);
  }
}
