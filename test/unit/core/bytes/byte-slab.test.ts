/** ByteSlab: copies equal what was copied, stay so whatever happens to the sources and to later copies, and share blocks only when small. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSlab } from '#core/bytes/byte-slab.js';

describe('ByteSlab', () => {
  it('copies any run of byte strings faithfully, each independent of its source and of the others', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 60 }), (sources) => {
        const expected = sources.map((s) => [...s]);
        const slab = new ByteSlab(1024);
        const copies = sources.map((s) => slab.copy(s));
        for (const s of sources) s.fill(0xee);
        slab.alloc(100).fill(0x55);
        expect(copies.map((c) => [...c])).toEqual(expected);
      }),
    );
  });

  it('packs small copies into one block and gives a large one a buffer of its own; alloc is zeroed', () => {
    const slab = new ByteSlab(1024);
    const a = slab.copy(Uint8Array.of(1, 2, 3));
    const b = slab.copy(Uint8Array.of(4, 5));
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 3);
    const large = slab.copy(new Uint8Array(600).fill(7));
    expect(large.buffer).not.toBe(a.buffer);
    expect(large.byteLength).toBe(large.buffer.byteLength);
    expect([...slab.alloc(16)]).toEqual(Array<number>(16).fill(0));
  });
});
