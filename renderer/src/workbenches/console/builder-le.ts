/**
 * The APDU builder's Le field, in hex like every other field and as it goes on the wire: one
 * byte for a short Le (00 asks for 256 bytes), two for an extended one (0000 asks for 65,536).
 */
export type LeField =
  | {
      ok: true;
      /** Ne, the bytes expected; undefined: no Le. */ ne: number | undefined;
      /** True: two bytes, extended. */ extended: boolean;
    }
  | { ok: false; error: string };

export function readLeField(text: string): LeField {
  const digits = text.replace(/\s+/g, '');
  if (digits === '') return { ok: true, ne: undefined, extended: false };
  if (!/^[0-9a-fA-F]{1,4}$/.test(digits)) {
    return { ok: false, error: 'Le is hex like every other field: 00–FF (00 = 256 bytes), or 0000–FFFF for extended (0000 = 65,536).' };
  }
  const value = Number.parseInt(digits, 16);
  if (digits.length <= 2) return { ok: true, ne: value === 0 ? 256 : value, extended: false };
  return { ok: true, ne: value === 0 ? 65536 : value, extended: true };
}
