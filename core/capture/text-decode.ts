/**
 * Text in captures: pcapng option strings are UTF-8, USB string descriptors UTF-16LE. core/ has
 * no TextDecoder (ES2023 lib only), so both are decoded here; bad sequences become U+FFFD.
 */

const REPLACEMENT = 0xfffd;

export function decodeUtf8(bytes: Uint8Array): string {
  const codes: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let code = REPLACEMENT;
    let extra = 0;
    let min = 0;
    if (b < 0x80) code = b;
    else if (b >= 0xc2 && b < 0xe0) [code, extra, min] = [b & 0x1f, 1, 0x80];
    else if (b >= 0xe0 && b < 0xf0) [code, extra, min] = [b & 0x0f, 2, 0x800];
    else if (b >= 0xf0 && b < 0xf5) [code, extra, min] = [b & 0x07, 3, 0x10000];
    i++;
    for (let k = 0; k < extra; k++) {
      const next = bytes[i];
      if (next === undefined || (next & 0xc0) !== 0x80) {
        code = REPLACEMENT;
        break;
      }
      code = (code << 6) | (next & 0x3f);
      i++;
    }
    if (min && (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))) code = REPLACEMENT;
    codes.push(code);
  }
  return codesToString(codes);
}

/** UTF-16LE code units as they are (a lone surrogate stays as it is, like a USB host shows it). */
export function decodeUtf16le(bytes: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) units.push(bytes[i]! | (bytes[i + 1]! << 8));
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

/** pcapng strings are often NUL-terminated inside their option; drop from the first NUL. */
export function stripNul(text: string): string {
  const nul = text.indexOf('\u0000');
  return nul < 0 ? text : text.slice(0, nul);
}

function codesToString(codes: number[]): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCodePoint(...codes.slice(i, i + 4096));
  return out;
}
