/** The pieces of text the CLI prints, checked one by one (the whole commands run as processes in test/integration/cli-*.test.ts). */
import { describe, expect, it } from 'vitest';
import { stopText } from '../../../../electron/cli/commands/run.js';
import { apduLinesOf, exchangeLines, parseApduArguments, sendStopText } from '../../../../electron/cli/commands/send.js';
import { JsonArrayWriter } from '../../../../electron/cli/json-array-writer.js';
import { unknownReaderText } from '../../../../electron/cli/reader-session.js';
import { UnknownReaderError } from '../../../../electron/backend/readers/reader-hub.js';

describe('JsonArrayWriter', () => {
  it('writes element by element exactly what JSON.stringify(array, null, 2) writes, empty or not', () => {
    for (const values of [[], [{ a: 1 }], [{ command: '00A4', nested: { list: [1, 2] } }, 'x', 3, null]]) {
      let text = '';
      const writer = new JsonArrayWriter((chunk) => (text += chunk));
      for (const value of values) writer.push(value);
      writer.close();
      writer.close();
      expect(text).toBe(`${JSON.stringify(values, null, 2)}\n`);
    }
  });
});

describe('send output', () => {
  it('shows the status word once, after the data, with its meaning and time', () => {
    const exchange = { command: '00B0000002', response: '00019000', sw: '9000', meaning: 'Success', ms: 1.5 };
    expect(exchangeLines(exchange)).toEqual(['> 00B0000002', '< 0001 9000  Success (1.5 ms)']);
    expect(exchangeLines({ ...exchange, response: '6A82', sw: '6A82', meaning: 'File not found', automatic: true })).toEqual([
      '> 00B0000002   (automatic)',
      '< 6A82  File not found (1.5 ms)',
    ]);
    expect(exchangeLines({ ...exchange, response: '90', sw: '', meaning: 'No status word' })[1]).toBe('< 90  No status word (1.5 ms)');
    expect(exchangeLines({ ...exchange, response: '', sw: '', meaning: 'No status word' })[1]).toBe('< (nothing)  No status word (1.5 ms)');
  });

  it('reads one APDU per line from a file, skipping blank lines and # comments, naming lines in errors', () => {
    const lines = apduLinesOf('# header\r\n00A4 0400 00\n\n  00B0000002  # two bytes\n#00FF\n', 'a.txt');
    expect(lines).toEqual([
      { label: 'a.txt line 2', text: '00A4 0400 00' },
      { label: 'a.txt line 4', text: '00B0000002' },
    ]);
    expect(parseApduArguments(lines).map((apdu) => apdu.length)).toEqual([5, 5]);
    expect(() => parseApduArguments(apduLinesOf('00A40400\n00ZZ\n', 'b.txt'))).toThrow(/send: b\.txt line 2 is not valid hex/);
  });

  it('says which APDUs were not sent when stopped', () => {
    expect(sendStopText({ apdu: 2, inFlight: true }, 3)).toBe('APDU 2 of 3 was sent and got no answer; the 1 after it was not sent.');
    expect(sendStopText({ apdu: 3, inFlight: true }, 3)).toBe('APDU 3 of 3 was sent and got no answer.');
    expect(sendStopText({ apdu: 1, inFlight: false }, 4)).toBe('APDU 1 of 4 was not sent, nor the 3 after it.');
  });
});

describe('run output when stopped', () => {
  it('names the line of the script and what was not run', () => {
    expect(stopText({ line: 53, inFlight: false, notDone: 148 }, 201)).toBe(
      'at line 53 of 201: that step was not run, nor the 147 after it.',
    );
    expect(stopText({ line: 9, inFlight: true, notDone: 2 }, 10)).toBe(
      'at line 9 of 10: its step was sent and got no answer; 1 later step(s) were not run.',
    );
    expect(stopText({ line: 10, inFlight: true, notDone: 1 }, 10)).toBe('at line 10 of 10: its step was sent and got no answer.');
  });
});

describe('an unknown reader', () => {
  const reader = (name: string) => ({ id: `pcsc:${name}`, name, backend: 'pcsc' as const, cardPresent: true, atr: null });

  it('is one sentence, the readers one per line, then each backend that lists none on a line of its own', () => {
    const error = new UnknownReaderError(
      'nope',
      'unknown',
      [reader('A 00 00'), reader('B 00 01')],
      [{ kind: 'usb', reason: 'no USB bus.' }],
    );
    expect(unknownReaderText(error)).toBe(
      'No reader named "nope".\nThe readers are:\n  A 00 00\n  B 00 01\n(usb lists no readers: no USB bus.)',
    );
    expect(error.detail).toBe('Readers:\n  A 00 00\n  B 00 01\nusb is not available: no USB bus.');
  });

  it('a name that matches several readers lists just those', () => {
    const error = new UnknownReaderError('00', 'ambiguous', [reader('A 00 00'), reader('B 00 01')], []);
    expect(unknownReaderText(error)).toBe('"00" matches 2 readers: give more of the name.\nIt matches:\n  A 00 00\n  B 00 01');
  });
});
