import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { exchangeView } from '#core/console/exchange-view.js';
import { historyEntryFor, historyFromStorage, isResendable, maskCommand, searchHistory } from '#core/console/history.js';
import { exportSession } from '#core/console/session-export.js';

const PIN = '313233343536';

describe('console history', () => {
  const verify = historyEntryFor(1, new Date(0), 'Reader A', exchangeView(fromHex(`0020008106${PIN}`), fromHex('63C2'), 1.2345));
  const select = historyEntryFor(2, new Date(0), 'Reader B', exchangeView(fromHex('00A4040006D27600012401'), fromHex('9000'), 0.5));

  it('stores VERIFY with its PIN bytes masked, and knows it cannot be re-sent', () => {
    expect(verify.command).toBe('0020008106************');
    expect(verify.meaning).toBe('Wrong PIN: 2 tries left');
    expect(isResendable(verify)).toBe(false);
    expect(isResendable(select)).toBe(true);
  });

  it('masks again what it loads, in case a file holds a clear PIN', () => {
    const loaded = historyFromStorage([{ ...verify, command: `0024000006${PIN}` }, { nonsense: true }, 'x']);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.command).toBe('0024000006************');
    expect(maskCommand('not hex')).toBe('(unreadable command)');
  });

  it('masks again text that already holds "*": a half-masked or hand-edited entry is not trusted', () => {
    const halfMasked = historyFromStorage([{ ...verify, command: '00200081063132**343536' }])[0]!;
    expect(halfMasked.command).toBe('0020008106************');
    expect(maskCommand('0020008106****33343536')).toBe('0020008106************');
    // A star in a length byte: where the data starts is unknown, so everything after the header goes.
    expect(maskCommand('00200081**313233343536')).toBe(`00200081${'**'.repeat(7)}`);
    // Masking is idempotent: what history holds comes back unchanged.
    expect(maskCommand(verify.command)).toBe(verify.command);
    expect(maskCommand(select.command)).toBe(select.command);
    const exported = exportSession([{ ...verify, command: '0020008106313233**3536' }], { generatedAt: new Date(0), app: 'Cardbench' });
    expect(exported.json + exported.text).not.toMatch(/31 ?32 ?33|35 ?36/);
  });

  it('masks every command of the secret table, not only VERIFY/CHANGE/RESET', () => {
    const entry = (hex: string) => historyEntryFor(3, new Date(0), 'Reader A', exchangeView(fromHex(hex), fromHex('9000'), 1));
    expect(entry(`00DA00D306${PIN}`).command).toBe('00DA00D306************');
    expect(entry(`0026008106${PIN}`).command).toBe('0026008106************');
    expect(entry(`00FFFFFF09039B06${PIN}`).command).toBe(`00FFFFFF09${'**'.repeat(9)}`);
    expect(maskCommand(`0028008106${PIN}`)).toBe('0028008106************');
  });

  it('searches hex with or without spaces, status words and meanings', () => {
    expect(searchHistory([verify, select], '00 a4 04').map((e) => e.id)).toEqual([2]);
    expect(searchHistory([verify, select], '63c2').map((e) => e.id)).toEqual([1]);
    expect(searchHistory([verify, select], 'wrong pin').map((e) => e.id)).toEqual([1]);
    expect(searchHistory([verify, select], 'reader b').map((e) => e.id)).toEqual([2]);
    expect(searchHistory([verify, select], '')).toHaveLength(2);
  });

  it('exports JSON and text without PIN bytes', () => {
    const out = exportSession([verify, select], { generatedAt: new Date(0), app: 'Cardbench' });
    expect(out.text).toContain('> 00 20 00 81 06 ** ** ** ** ** **');
    expect(out.text).toContain('63C2 Wrong PIN: 2 tries left');
    expect(JSON.parse(out.json).exchanges).toHaveLength(2);
    expect(out.json + out.text).not.toContain(PIN);
  });
});
