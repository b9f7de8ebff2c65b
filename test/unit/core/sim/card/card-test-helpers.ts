import { fromHex, toHex } from '#core/bytes/hex.js';
import type { SmartCard } from '#core/sim/card/virtual-card.js';

/** Sends hex, returns the whole response as uppercase hex (data then SW). */
export function send(card: SmartCard, hex: string): string {
  return toHex(card.transmit(fromHex(hex)));
}

/** The SW of the response, as 4 hex digits. */
export function swOf(response: string): string {
  return response.slice(-4);
}

export function dataOf(response: string): string {
  return response.slice(0, -4);
}

export function ascii(text: string): string {
  return toHex(Uint8Array.from(text, (c) => c.charCodeAt(0)));
}

export function verifyApdu(p2: number, pin: string): string {
  return `002000${p2.toString(16).padStart(2, '0')}${pin.length.toString(16).padStart(2, '0')}${ascii(pin)}`;
}

export const SELECT_OPENPGP = '00A4040006D27600012401';
export const SELECT_PIV = '00A4040005A000000308';
