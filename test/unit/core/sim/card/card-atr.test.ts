import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseAtr } from '#core/iso7816/atr.js';
import { buildAtr, defaultHistoricalBytes } from '#core/sim/card/card-atr.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';

describe('virtual card ATR', () => {
  it('T=1: 3B 8A 81 31 FE 45, ten historical bytes and a TCK our ATR parser accepts', () => {
    const atr = buildAtr('T=1');
    expect(toHex(atr)).toMatch(/^3B8A8131FE45/);
    expect(atr.length).toBe(6 + 10 + 1);
    const parsed = parseAtr(atr);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tck).toMatchObject({ required: true, present: true, valid: true });
    expect(parsed.protocols).toContain(1);
    expect(toHex(parsed.historical.bytes)).toBe(toHex(defaultHistoricalBytes('T=1')));
    expect(parsed.historical.problems).toEqual([]);
    expect(parsed.historical.objects.length).toBe(3);
  });

  it('T=0: 3B 0A and ten historical bytes, no TCK, no TA1 (so no PPS)', () => {
    const atr = buildAtr('T=0');
    expect(toHex(atr)).toBe(`3B0A${toHex(defaultHistoricalBytes('T=0'))}`);
    const parsed = parseAtr(atr);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tck.present).toBe(false);
    expect(parsed.interfaceBytes).toEqual([]);
  });

  it('only T=1 historical bytes announce extended Lc/Le', () => {
    expect(defaultHistoricalBytes('T=1')[6]).toBe(0x40);
    expect(defaultHistoricalBytes('T=0')[6]).toBe(0x00);
  });

  it('reset() returns the configured ATR, and a whole ATR can be given', () => {
    expect(toHex(createVirtualCard({ protocol: 'T=0' }).reset())).toBe(toHex(buildAtr('T=0')));
    expect(toHex(createVirtualCard({ atr: Uint8Array.of(0x3b, 0x00) }).reset())).toBe('3B00');
  });

  it('refuses more than 15 historical bytes', () => {
    expect(() => buildAtr('T=1', new Uint8Array(16))).toThrow(/at most 15/);
  });
});
