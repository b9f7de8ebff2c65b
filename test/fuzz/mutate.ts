/** Byte-level mutations, biased toward what breaks binary parsers: length fields and edges. */

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x40];
const INTERESTING_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xffff, 12, 28];

export type Random = () => number;

/** Small, fast, seedable PRNG (mulberry32) so a failing run can be reproduced from its seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const index = (random: Random, length: number): number => Math.floor(random() * Math.max(1, length));

export function mutate(input: Uint8Array, other: Uint8Array, random: Random): Uint8Array {
  let out = new Uint8Array(input);
  const rounds = 1 + Math.floor(random() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = index(random, out.length);
    switch (Math.floor(random() * 8)) {
      case 0:
        if (out.length) out[at] = out[at]! ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        if (out.length) out[at] = pick(random, INTERESTING);
        break;
      case 2:
        if (out.length >= 4)
          new DataView(out.buffer).setUint32(Math.min(at, out.length - 4), pick(random, INTERESTING_U32), random() < 0.5);
        break;
      case 3:
        out = out.slice(0, at);
        break;
      case 4: {
        const length = Math.min(out.length - at, 1 + index(random, 64));
        out = new Uint8Array([...out.subarray(0, at), ...out.subarray(at + length)]);
        break;
      }
      case 5: {
        const chunk = out.subarray(at, at + 1 + index(random, 64));
        out = new Uint8Array([...out.subarray(0, at), ...chunk, ...out.subarray(at)]);
        break;
      }
      case 6: {
        const from = index(random, other.length);
        out = new Uint8Array([...out.subarray(0, at), ...other.subarray(from, from + 1 + index(random, 256))]);
        break;
      }
      default:
        for (let i = 0; i < 1 + index(random, 8) && out.length; i++) out[index(random, out.length)] = Math.floor(random() * 256);
    }
  }
  return out;
}
