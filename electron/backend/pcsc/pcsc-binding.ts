/**
 * The slice of the `pcsclite` native binding Cardbench uses, typed. The binding speaks in
 * callbacks and 'error' events; everything above this file sees promises and typed errors.
 */

/** SCARD_STATE_* bits of a reader's status (pcsc-lite values). */
export const READER_STATE = {
  CHANGED: 0x0002,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

export interface PcscReaderStatus {
  state: number;
  atr?: Buffer;
}

export interface PcscLiteReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_SHARE_DIRECT: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  on(event: 'status', listener: (status: PcscReaderStatus) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(options: { share_mode: number; protocol?: number }, callback: (error: Error | null, protocol: number) => void): void;
  disconnect(disposition: number, callback: (error: Error | null) => void): void;
  transmit(data: Buffer, responseLength: number, protocol: number, callback: (error: Error | null, data: Buffer) => void): void;
  control(data: Buffer, controlCode: number, responseLength: number, callback: (error: Error | null, data: Buffer) => void): void;
  close(): void;
}

export interface PcscLiteInstance {
  on(event: 'reader', listener: (reader: PcscLiteReader) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
}

export type PcscLiteFactory = () => PcscLiteInstance;
