/**
 * Long hex shown folded: the first bytes, an ellipsis, the last bytes and the length, so a
 * 35,000-byte APDU takes one line in the history and the exchanges until asked for in full.
 */
import { grouped } from '#core/console/apdu-size.js';

/** Up to this many bytes, hex is shown whole. */
export const FOLD_ABOVE_BYTES = 64;
const HEAD_BYTES = 16;
const TAIL_BYTES = 4;

export interface FoldedHex {
  folded: boolean;
  /** Spaced hex: all of it, or the first bytes when folded. */
  head: string;
  /** Spaced hex of the last bytes when folded, '' otherwise. */
  tail: string;
  /** '35,002 bytes'. */
  size: string;
}

/** Uppercase or masked ('**') hex without spaces, two characters a byte. */
export function foldHex(hex: string): FoldedHex {
  const bytes = Math.ceil(hex.length / 2);
  const size = `${grouped(bytes)} byte${bytes === 1 ? '' : 's'}`;
  if (bytes <= FOLD_ABOVE_BYTES) return { folded: false, head: spaced(hex), tail: '', size };
  return { folded: true, head: spaced(hex.slice(0, HEAD_BYTES * 2)), tail: spaced(hex.slice(-TAIL_BYTES * 2)), size };
}

export function spaced(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}
