/**
 * PC/SC return codes with their names and a sentence that says what to do. The pcsclite binding
 * reports errors as strings like "SCardEstablishContext error: Service not available.(0x8010001d)",
 * so the code is recovered from the text.
 */
import { hexLiteral } from '#core/bytes/hex.js';
export interface PcscErrorInfo {
  code: number;
  name: string;
  advice: string;
}

const PCSC_ERRORS: readonly PcscErrorInfo[] = [
  {
    code: 0x8010001d,
    name: 'SCARD_E_NO_SERVICE',
    advice: 'PC/SC service not running: start pcscd (e.g. `sudo systemctl start pcscd.socket`), or the Smart Card service on Windows.',
  },
  {
    code: 0x8010002e,
    name: 'SCARD_E_NO_READERS_AVAILABLE',
    advice: 'No reader is connected: plug one in, or use the built-in virtual reader.',
  },
  {
    code: 0x8010000b,
    name: 'SCARD_E_SHARING_VIOLATION',
    // PC/SC does not say who holds the card: name usual holders only as possibilities.
    advice:
      'Another program holds the card exclusively (PC/SC does not say which): close it and retry. Programs that often do: ' +
      "GnuPG's scdaemon (`gpgconf --kill scdaemon` frees the card; `pcsc-shared` in scdaemon.conf makes it share), " +
      'a browser or mail client with a PKCS#11 module loaded, another Cardbench connected with --share exclusive.',
  },
  { code: 0x8010000c, name: 'SCARD_E_NO_SMARTCARD', advice: 'No card is in the reader: insert one.' },
  { code: 0x80100069, name: 'SCARD_W_REMOVED_CARD', advice: 'The card was removed: insert it again and reconnect.' },
  { code: 0x80100068, name: 'SCARD_W_RESET_CARD', advice: 'The card was reset by another program: reconnect.' },
  {
    code: 0x80100066,
    name: 'SCARD_W_UNRESPONSIVE_CARD',
    advice: 'The card does not answer the reset: check its orientation or try another card.',
  },
  {
    code: 0x80100016,
    name: 'SCARD_E_NOT_TRANSACTED',
    advice: 'The reader could not complete the exchange (the card may have been removed mid-transmit): reconnect and retry.',
  },
  { code: 0x80100009, name: 'SCARD_E_UNKNOWN_READER', advice: 'That reader is no longer there: refresh the reader list.' },
  { code: 0x80100017, name: 'SCARD_E_READER_UNAVAILABLE', advice: 'The reader vanished or its driver stopped: replug it and refresh.' },
  { code: 0x8010001f, name: 'SCARD_E_UNSUPPORTED_FEATURE', advice: 'The reader driver does not support this operation.' },
  { code: 0x80100002, name: 'SCARD_E_CANCELLED', advice: 'The operation was cancelled.' },
  { code: 0x8010000a, name: 'SCARD_E_TIMEOUT', advice: 'The operation timed out: try again.' },
  {
    code: 0x80100004,
    name: 'SCARD_E_INVALID_PARAMETER',
    advice: 'The request was refused as invalid by PC/SC (a bug in Cardbench or the driver): please report it.',
  },
  { code: 0x80100008, name: 'SCARD_E_INSUFFICIENT_BUFFER', advice: 'The answer was larger than expected.' },
  {
    code: 0x80100013,
    name: 'SCARD_F_COMM_ERROR',
    // True for the app (whose reader list comes back by itself) and for the CLI (which has exited) alike.
    advice: 'Lost contact with the PC/SC service (pcscd stopped or crashed): once it runs again, retry.',
  },
  {
    code: 0x80100067,
    name: 'SCARD_W_UNPOWERED_CARD',
    advice: 'The card is not powered (another program powered it down): reconnect with a reset.',
  },
  {
    code: 0x8010006a,
    name: 'SCARD_W_SECURITY_VIOLATION',
    // pcsc-lite answers it when polkit refuses a client, and (seen here) for a call under way when pcscd dies.
    advice:
      "PC/SC refused access: pcscd's access rules (polkit) denied this user, or pcscd stopped during the call. Retry once pcscd runs.",
  },
  { code: 0x80100006, name: 'SCARD_E_NO_MEMORY', advice: 'PC/SC ran out of memory: restart pcscd.' },
  { code: 0x80100001, name: 'SCARD_F_INTERNAL_ERROR', advice: 'PC/SC reported an internal error: restart pcscd.' },
];

export function pcscErrorByCode(code: number): PcscErrorInfo | undefined {
  return PCSC_ERRORS.find((e) => e.code === code);
}

/** Finds "(0x8010001d)" in a binding message. */
export function pcscCodeFromMessage(message: string): number | undefined {
  const match = /0x([0-9a-fA-F]{8})/.exec(message);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

export function describePcscFailure(message: string): { name: string; advice: string; code?: number } {
  const code = pcscCodeFromMessage(message);
  const known = code === undefined ? undefined : pcscErrorByCode(code);
  if (known) return known;
  const hex = code === undefined ? '' : ` (${hexLiteral(code, 1)})`;
  return { name: `PC/SC error${hex}`, advice: message, ...(code === undefined ? {} : { code }) };
}
