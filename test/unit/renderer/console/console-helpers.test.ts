import { describe, expect, it } from 'vitest';
import { readLeField } from '../../../../renderer/src/workbenches/console/builder-le.js';
import { foldHex } from '../../../../renderer/src/workbenches/console/folded-hex.js';
import { caretOnFirstLine, caretOnLastLine, HistoryRecall } from '../../../../renderer/src/workbenches/console/history-recall.js';

describe('HistoryRecall', () => {
  const entries = [
    { command: '00CA004F00', automatic: false },
    { command: '00C0000012', automatic: true },
    { command: '00CA004F00', automatic: false },
    { command: '0020008106************', automatic: false },
    { command: '00A4040006D27600012401', automatic: false },
  ];

  it('offers what was typed, newest first: not the follow-ups, not masked PINs, a repeat once', () => {
    const recall = new HistoryRecall();
    recall.setEntries(entries);
    expect([recall.older('draft'), recall.older('x'), recall.older('y')]).toEqual(['00CA004F00', '00A4040006D27600012401', undefined]);
    expect([recall.newer(), recall.newer(), recall.newer()]).toEqual(['00CA004F00', 'draft', undefined]);
  });

  it('an edit ends the walk: the next ArrowUp starts from the newest again and keeps the new draft', () => {
    const recall = new HistoryRecall();
    recall.setEntries(entries);
    recall.older('first draft');
    recall.older('x');
    recall.edited();
    expect(recall.older('second draft')).toBe('00CA004F00');
    expect(recall.newer()).toBe('second draft');
  });

  it('nothing to recall in an empty history', () => {
    const recall = new HistoryRecall();
    recall.setEntries([]);
    expect(recall.older('typed')).toBeUndefined();
    expect(recall.newer()).toBeUndefined();
  });

  it('knows the first and last lines of the text', () => {
    expect([caretOnFirstLine('00 A4\n04 00', 3), caretOnFirstLine('00 A4\n04 00', 7)]).toEqual([true, false]);
    expect([caretOnLastLine('00 A4\n04 00', 3), caretOnLastLine('00 A4\n04 00', 7)]).toEqual([false, true]);
  });
});

describe('foldHex', () => {
  it('shows up to 64 bytes whole, more as head … tail with the length', () => {
    expect(foldHex('00A40400')).toEqual({ folded: false, head: '00 A4 04 00', tail: '', size: '4 bytes' });
    expect(foldHex('AB'.repeat(64)).folded).toBe(false);
    const long = foldHex(`00DA00FF0088B3${'AB'.repeat(34_995)}`);
    expect(long).toEqual({ folded: true, head: `00 DA 00 FF 00 88 B3 ${'AB '.repeat(8)}AB`, tail: 'AB AB AB AB', size: '35,002 bytes' });
  });

  it('folds masked commands the same way (two characters a byte)', () => {
    expect(foldHex(`00DB3FFF0000C8${'**'.repeat(200)}`)).toMatchObject({ folded: true, size: '207 bytes', tail: '** ** ** **' });
  });
});

describe('readLeField', () => {
  it('reads Le as hex, as on the wire', () => {
    expect(readLeField('')).toEqual({ ok: true, ne: undefined, extended: false });
    expect(readLeField('1A')).toEqual({ ok: true, ne: 26, extended: false });
    expect(readLeField('00')).toEqual({ ok: true, ne: 256, extended: false });
    expect(readLeField('0100')).toEqual({ ok: true, ne: 256, extended: true });
    expect(readLeField('00 00')).toEqual({ ok: true, ne: 65536, extended: true });
    expect(readLeField('FFFF')).toEqual({ ok: true, ne: 65535, extended: true });
  });

  it('says what an Le looks like when it is not hex or too long', () => {
    for (const bad of ['256x', 'zz', '12345'])
      expect(readLeField(bad)).toMatchObject({ ok: false, error: expect.stringMatching(/Le is hex/) });
  });
});
