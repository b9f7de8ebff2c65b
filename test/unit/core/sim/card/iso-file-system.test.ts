import { describe, expect, it } from 'vitest';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import { SELECT_OPENPGP, ascii, send } from './card-test-helpers.js';

describe('ISO file system', () => {
  it('SELECT the MF by FID, by empty data, by path; FCP on request, none for P2 0C', () => {
    const card = createVirtualCard();
    expect(send(card, '00A40000023F00')).toMatch(/^62.*83023F00.*9000$/);
    expect(send(card, '00A4000C')).toBe('9000');
    expect(send(card, '00A4080C022F02')).toBe('9000');
    expect(send(card, '00A40804043F002F0200')).toMatch(/^62.*83022F02.*9000$/);
  });

  it('unknown files are 6A82, bad P1/P2 6A86, odd FID length 6A80', () => {
    const card = createVirtualCard();
    expect(send(card, '00A4000C024F00')).toBe('6A82');
    expect(send(card, '00A4030C022F01')).toBe('6A86');
    expect(send(card, '00A40010022F01')).toBe('6A86');
    expect(send(card, '00A4000C032F0100')).toBe('6A80');
    expect(send(card, '00A4080C043F004F002F01'.slice(0, 18))).toBe('6A82');
  });

  it('READ BINARY with offsets, at the end of file (6282), beyond it (6B00), and without a current EF (6986)', () => {
    const card = createVirtualCard();
    expect(send(card, '00B0000004')).toBe('6986');
    send(card, '00A4000C022F02');
    expect(send(card, '00B0000009')).toBe(`${ascii('Cardbench')}9000`);
    expect(send(card, '00B0000A04')).toBe(`${ascii('virt')}9000`);
    expect(send(card, '00B0001204')).toBe(`${ascii('card')}9000`);
    expect(send(card, '00B0001304')).toBe(`${ascii('ard')}6282`);
    expect(send(card, '00B0001604')).toBe('6282');
    expect(send(card, '00B0001704')).toBe('6B00');
  });

  it('READ BINARY by short EF identifier selects the file', () => {
    const card = createVirtualCard();
    expect(send(card, '00B0820009')).toBe(`${ascii('Cardbench')}9000`);
    expect(send(card, '00B0000009')).toBe(`${ascii('Cardbench')}9000`);
    expect(send(card, '00B0850001')).toBe('6A82');
  });

  it('UPDATE BINARY at an offset, then READ BINARY sees it; overflow 6A84, empty 6700', () => {
    const card = createVirtualCard();
    send(card, '00A4000C022F02');
    expect(send(card, `00D6000A04${ascii('VIRT')}`)).toBe('9000');
    expect(send(card, '00B0000011')).toBe(`${ascii('Cardbench VIRTual')}9000`);
    expect(send(card, `00D6001404${ascii('XXXX')}`)).toBe('6A84');
    expect(send(card, '00D60000')).toBe('6700');
  });

  it('selecting an application forgets the current EF', () => {
    const card = createVirtualCard();
    send(card, '00A4000C022F02');
    send(card, SELECT_OPENPGP);
    expect(send(card, '00B0000001')).toBe('6986');
  });
});
