/**
 * What every source of readers implements: PC/SC (pcsclite), the built-in virtual reader
 * (CCID driver over an in-process transport) and direct USB CCID (CCID driver over `usb`).
 * The reader hub multiplexes them for the contract and the CLI.
 */
import type { BackendStatus } from '#core/ipc/app-info.js';

export type ReaderBackendKind = 'pcsc' | 'virtual' | 'usb';
export type ShareMode = 'shared' | 'exclusive' | 'direct';
export type ProtocolChoice = 't0' | 't1' | 'any';
export type ActiveProtocol = 'T=0' | 'T=1' | 'none';
export type Disposition = 'leave' | 'reset' | 'unpower';

export interface BackendReader {
  /** Unique within its backend; shown to people. */
  name: string;
  cardPresent: boolean;
  /** Uppercase hex, or null without a card. */
  atr: string | null;
}

/**
 * What a caller may pass to any reader call. `signal` stops the wait: the call rejects with
 * CallStoppedError (electron/backend/abortable.ts) as soon as it fires, after the backend has
 * cancelled what it can (a CCID command still waiting on the reader gets a CCID Abort; a PC/SC
 * call blocked in pcscd cannot be cancelled and is left to return on its own, its reader handle
 * untouched until it does).
 */
export interface ReaderCallOptions {
  signal?: AbortSignal;
}

export interface ReaderTransmitOptions extends ReaderCallOptions {
  share?: ShareMode;
  protocol?: ProtocolChoice;
}

export interface ReaderTransmitResult {
  response: Uint8Array;
  /** Time of the exchange alone, in milliseconds. */
  ms: number;
  protocol: ActiveProtocol;
}

/** A PIN entry on the reader's own keypad, as a CCID PC_to_RDR_Secure carries it. */
export interface SecurePinEntry {
  operation: 'verify' | 'modify';
  /** bPINOperation + abPINDataStructure (core/ccid builds it; the APDU template is its tail). */
  abData: Uint8Array;
  /** The APDU template alone: at T=1 the driver wraps the card's answer to it. */
  template: Uint8Array;
}

/** What the reader answered: the card's response (the status word), or the bError of a failed Secure. */
export type SecurePinAnswer = { response: Uint8Array } | { bError: number };

export interface ReaderBackend {
  readonly kind: ReaderBackendKind;
  /** Available or not, and why (shown in the status bar). */
  status(): BackendStatus;
  readers(): BackendReader[];
  /** Called on any change of status, reader list or card state. */
  onChange(listener: () => void): () => void;
  /** Resolves once the first reader/card states are known (or after a short timeout). */
  settled(): Promise<void>;
  transmit(reader: string, apdu: Uint8Array, options?: ReaderTransmitOptions): Promise<ReaderTransmitResult>;
  /** SCardControl-style call (part 10 features, escape); absent where the backend has none. */
  control?(reader: string, controlCode: number, data: Uint8Array, options?: ReaderCallOptions): Promise<Uint8Array>;
  /** PC_to_RDR_Secure through the backend's CCID driver (virtual, usb); PC/SC readers take SCardControl instead. */
  securePinEntry?(reader: string, entry: SecurePinEntry): Promise<SecurePinAnswer>;
  /** CCID Abort of the PIN entry waiting on this reader's keypad; false when none waits. */
  abortPinEntry?(reader: string): Promise<boolean>;
  /** The CCID class descriptor, where the backend sees the device itself (virtual, usb). */
  ccidDescriptor?(reader: string): Uint8Array | undefined;
  /** Drops the connection to a reader's card (the next transmit reconnects); never waits on a call still in flight. */
  disconnect(reader: string, disposition?: Disposition): Promise<void>;
  /** Releases everything that can be released; returns promptly even when a call is still blocked. */
  dispose(): Promise<void>;
}
