/**
 * One PC/SC connection to a reader, promisified. Shared mode by default (the binding's own
 * default is exclusive, which would lock other programs out of the reader).
 */
import type { PcscLiteReader } from './pcsc-binding.js';
import { pcscFailure } from './pcsc-failure.js';

export type ShareMode = 'shared' | 'exclusive' | 'direct';
export type ProtocolChoice = 't0' | 't1' | 'any';
export type Disposition = 'leave' | 'reset' | 'unpower';
export type ActiveProtocol = 'T=0' | 'T=1' | 'none';

/** Enough for an extended APDU answer (65536 data bytes + SW) and some slack. */
const MAX_RESPONSE = 65538 + 2;

export class CardConnection {
  private open = true;

  private constructor(
    private readonly reader: PcscLiteReader,
    readonly protocol: ActiveProtocol,
    private readonly protocolCode: number,
    readonly share: ShareMode,
  ) {}

  static async connect(reader: PcscLiteReader, options: { share?: ShareMode; protocol?: ProtocolChoice } = {}): Promise<CardConnection> {
    // The binding's connect() is a silent no-op while it thinks a handle is open, which after a
    // card removal would hand back the dead handle: release any stale one first.
    if (reader.connected) await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve()));
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
    return new Promise((resolve, reject) => {
      reader.connect({ share_mode: shareCode, protocol: protocolMask }, (error, protocol) => {
        if (error) return reject(pcscFailure(`Connecting to ${reader.name}`, error));
        const name: ActiveProtocol = protocol === reader.SCARD_PROTOCOL_T0 ? 'T=0' : protocol === reader.SCARD_PROTOCOL_T1 ? 'T=1' : 'none';
        resolve(new CardConnection(reader, name, protocol ?? 0, share));
      });
    });
  }

  get isOpen(): boolean {
    return this.open && this.reader.connected;
  }

  transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.reader.transmit(Buffer.from(apdu), MAX_RESPONSE, this.protocolCode, (error, data) => {
        if (error) return reject(pcscFailure('Sending the APDU', error));
        resolve(new Uint8Array(data));
      });
    });
  }

  control(controlCode: number, data: Uint8Array, maxResponse = 65536): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.reader.control(Buffer.from(data), controlCode, maxResponse, (error, out) => {
        if (error) return reject(pcscFailure(`SCardControl 0x${controlCode.toString(16).toUpperCase()}`, error));
        resolve(new Uint8Array(out));
      });
    });
  }

  close(disposition: Disposition = 'leave'): Promise<void> {
    this.open = false;
    const code = { leave: this.reader.SCARD_LEAVE_CARD, reset: this.reader.SCARD_RESET_CARD, unpower: this.reader.SCARD_UNPOWER_CARD }[
      disposition
    ];
    return new Promise((resolve) => this.reader.disconnect(code, () => resolve()));
  }
}
