/**
 * The vendor Escape commands libccid sends to a Gemalto (GemPC) reader while it opens it, and
 * what a GemPC Pinpad answers. Without a firmware string the driver refuses the reader; without
 * an OK to the localized prompts it gives up on it.
 */
import { hexLiteral } from '#core/bytes/hex.js';
import { encodeGemaltoFirmwareFeatures, type VirtualReaderProfile } from './reader-profile.js';

export type EscapeAnswer = { ok: true; data: Uint8Array; command: string } | { ok: false; command: string };

/** Printable ASCII only: the driver prints the firmware string as a C string. */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0x20 && code < 0x7f ? code : 0x3f;
  });
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

export function answerGemPcEscape(profile: VirtualReaderProfile, data: Uint8Array): EscapeAnswer {
  if (data.length === 1 && data[0] === 0x02) {
    return { ok: true, data: ascii(profile.firmware.slice(0, 49)), command: 'firmware version' };
  }
  if (data.length === 3 && startsWith(data, [0x01, 0x01, 0x01])) {
    return { ok: true, data: new Uint8Array(0), command: 'card movement notification: synchronous' };
  }
  if (startsWith(data, [0xb2, 0xa0, 0x00, 0x4d, 0x4c])) {
    return { ok: true, data: new Uint8Array(0), command: 'load localized prompts' };
  }
  if (data.length === 1 && data[0] === 0x6a) {
    if (!profile.firmwareFeatures) return { ok: false, command: 'firmware features' };
    return { ok: true, data: encodeGemaltoFirmwareFeatures(profile.firmwareFeatures), command: 'firmware features' };
  }
  return { ok: false, command: data.length > 0 ? `unknown escape ${hexLiteral(data[0]!)}` : 'empty escape' };
}
