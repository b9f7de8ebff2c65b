/**
 * One PC/SC connection to a reader, promisified. Shared mode by default (the binding's own
 * default is exclusive, which would lock other programs out of the reader).
 *
 * A call can be given an AbortSignal: the caller stops waiting when it fires. PC/SC cannot cancel
 * a transmit or control call that the driver is blocked in (SCardCancel only ends
 * SCardGetStatusChange, and the binding does not expose it for card handles), so the native call
 * is left to return on its own and the reader handle is released only once it has (reader-calls.ts).
 */
import { hexLiteral } from '#core/bytes/hex.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { abandonOnAbort, throwIfStopped } from '../abortable.js';
import type { PcscLiteReader } from './pcsc-binding.js';
import { pcscFailure } from './pcsc-failure.js';
import { callReader, readerIdleWithin, readerIsBusy, whenReaderIdle } from './reader-calls.js';

export type ShareMode = 'shared' | 'exclusive' | 'direct';
export type ProtocolChoice = 't0' | 't1' | 'any';
export type Disposition = 'leave' | 'reset' | 'unpower';
export type ActiveProtocol = 'T=0' | 'T=1' | 'none';

/** Enough for an extended APDU answer (65536 data bytes + SW) and some slack. */
const MAX_RESPONSE = 65538 + 2;
/** How long a new connection waits for an earlier call on the reader (usually a release) before calling the reader stuck. */
const BUSY_WAIT_MS = 3000;

export class CardConnection {
  private open = true;

  private constructor(
    private readonly reader: PcscLiteReader,
    readonly protocol: ActiveProtocol,
    private readonly protocolCode: number,
    readonly share: ShareMode,
  ) {}

  static async connect(
    reader: PcscLiteReader,
    options: { share?: ShareMode; protocol?: ProtocolChoice; signal?: AbortSignal } = {},
  ): Promise<CardConnection> {
    if (!(await readerIdleWithin(reader, BUSY_WAIT_MS, options.signal))) {
      throwIfStopped(options.signal, `the connection to ${reader.name}`);
      // A new call would queue behind the blocked one inside the binding and block a second thread.
      throw new CardbenchError(
        'operation-failed',
        `${reader.name} is still busy with an earlier call that has not returned (the card may have stopped answering): remove and reinsert the card, or wait.`,
      );
    }
    // The binding's connect() is a silent no-op while it thinks a handle is open, which after a
    // card removal would hand back the dead handle: release any stale one first.
    if (reader.connected)
      await callReader<void>(reader, (done) => reader.disconnect(reader.SCARD_LEAVE_CARD, (error) => done(error, undefined))).catch(
        () => undefined,
      );
    const share = options.share ?? 'shared';
    const shareCode = { shared: reader.SCARD_SHARE_SHARED, exclusive: reader.SCARD_SHARE_EXCLUSIVE, direct: reader.SCARD_SHARE_DIRECT }[
      share
    ];
    const wanted = options.protocol ?? 'any';
    // Direct mode talks to the reader only: no protocol is negotiated with a card.
    const protocolMask =
      share === 'direct'
        ? 0
        : { t0: reader.SCARD_PROTOCOL_T0, t1: reader.SCARD_PROTOCOL_T1, any: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 }[wanted];
    const connecting = callReader<number>(reader, (done) =>
      reader.connect({ share_mode: shareCode, protocol: protocolMask }, (error, protocol) => done(error, protocol ?? 0)),
    );
    // A connection that arrives after the caller gave up belongs to nobody: release it.
    connecting.then(
      () => {
        if (options.signal?.aborted) whenReaderIdle(reader, () => reader.disconnect(reader.SCARD_LEAVE_CARD, () => undefined));
      },
      () => undefined,
    );
    let protocol: number;
    try {
      protocol = await abandonOnAbort(connecting, options.signal, `the connection to ${reader.name}`);
    } catch (error) {
      if (error instanceof CardbenchError) throw error;
      throw pcscFailure(`Connecting to ${reader.name}`, error);
    }
    const name: ActiveProtocol = protocol === reader.SCARD_PROTOCOL_T0 ? 'T=0' : protocol === reader.SCARD_PROTOCOL_T1 ? 'T=1' : 'none';
    return new CardConnection(reader, name, protocol, share);
  }

  get isOpen(): boolean {
    return this.open && this.reader.connected;
  }

  async transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const call = callReader<Buffer>(this.reader, (done) =>
      this.reader.transmit(Buffer.from(apdu), MAX_RESPONSE, this.protocolCode, (error, data) => done(error, data)),
    );
    try {
      return new Uint8Array(await abandonOnAbort(call, signal, `the answer of the card in ${this.reader.name}`));
    } catch (error) {
      if (error instanceof CardbenchError) throw error;
      throw pcscFailure('Sending the APDU', error);
    }
  }

  async control(controlCode: number, data: Uint8Array, options: { maxResponse?: number; signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const call = callReader<Buffer>(this.reader, (done) =>
      this.reader.control(Buffer.from(data), controlCode, options.maxResponse ?? 65536, (error, out) => done(error, out)),
    );
    try {
      return new Uint8Array(await abandonOnAbort(call, options.signal, `${this.reader.name} to answer SCardControl`));
    } catch (error) {
      if (error instanceof CardbenchError) throw error;
      throw pcscFailure(`SCardControl ${hexLiteral(controlCode, 1)}`, error);
    }
  }

  /** Releases the handle; while a call is still blocked on it, as soon as that call returns (never waits for it). */
  close(disposition: Disposition = 'leave'): Promise<void> {
    this.open = false;
    const code = { leave: this.reader.SCARD_LEAVE_CARD, reset: this.reader.SCARD_RESET_CARD, unpower: this.reader.SCARD_UNPOWER_CARD }[
      disposition
    ];
    if (readerIsBusy(this.reader)) {
      whenReaderIdle(this.reader, () => this.reader.disconnect(code, () => undefined));
      return Promise.resolve();
    }
    return callReader<void>(this.reader, (done) => this.reader.disconnect(code, (error) => done(error, undefined))).catch(() => undefined);
  }
}
