/**
 * pcsc-spy logs read as traces: the real logs of opensc-tool and scriptor recorded in the pcscd rig
 * (test/fixtures/pcsc-spy) against what the virtual card itself logged, and hand-written logs for
 * what those clients never do (PIN entry through SCardControl, failed transmits, threads, bad lines).
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { looksLikePcscSpyLog } from '#core/capture/format-detect.js';
import { MAX_CALL_TEXT, MAX_OPEN_CALLS, MAX_SPY_LINE } from '#core/capture/pcsc-spy-log.js';
import { decodeTraceBytes, redactPins, traceSummaryLines } from '#core/trace/index.js';
import { apduSeenInTrace, apdusSeenByCard, spyLog, virtualCardApduLog } from './apdu-trace-files.js';
import { openpgpPw1VerifyStructure } from '../../../support/openpgp-pinpad.js';

const text = (lines: string[]): Uint8Array => new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));
const T = '7F31B2E79B80@';

/** One SCardTransmit of the log's syntax (pcsc-lite 1.9.9: the result's text before its code). */
function transmit(thread: string, at: number, handle: string, command: string, response: string | null, result = '0x00000000'): string[] {
  const spaced = (hex: string) => `${hex.replace(/(..)/g, '$1 ')}`;
  const ok = result === '0x00000000';
  return [
    `${thread}>|1796213879|${at}|SCardTransmit`,
    `${thread}${handle}`,
    `${thread}0x00000002`,
    `${thread}0x00000010`,
    `${thread}0x${(command.length / 2).toString(16).toUpperCase().padStart(8, '0')}`,
    `${thread}${spaced(command)}`,
    `${thread}0x00000001`,
    `${thread}0x00000010`,
    `${thread}0x${((response?.length ?? 0) / 2).toString(16).toUpperCase().padStart(8, '0')}`,
    `${thread}${ok && response ? spaced(response) : 'NULL'}`,
    `${thread}<|1796213879|${at + 40_000}|SCardTransmit|${ok ? 'Command successful.' : 'Card was removed.'}|${result}`,
  ];
}

function connect(thread: string, at: number, reader: string, handle: string): string[] {
  return [
    `${thread}>|1796213879|${at}|SCardConnect`,
    ...['0x7D9F60F4', reader, '0x00000002', '0x00000003', '0x00000000', '0x00000000', handle, '0x00000002'].map((a) => `${thread}${a}`),
    `${thread}<|1796213879|${at + 100}|SCardConnect|Command successful.|0x00000000`,
  ];
}

describe('a real pcsc-spy log of scriptor', () => {
  const report = decodeTraceBytes(spyLog('scriptor-openpgp.pcsc-spy'), { file: 'scriptor.log' });

  it('gives the three APDUs scriptor sent, on the reader SCardConnect named, with the call times', () => {
    expect(report.format).toBe('pcsc-spy');
    expect(report.packets).toBe(54);
    expect(report.devices).toEqual([{ id: 'Virtual PCD 00 00', vendorId: null, productId: null, ccid: null, apduTrace: true }]);
    expect(report.exchanges.map((e) => [e.command, e.response, e.commandFrame, e.responseFrame, e.timeMs, e.durationMs])).toEqual([
      ['00A4040006D2760001240100', '9000', 15, 25, 0.504, 42.331],
      ['00CA004F00', 'D276000124010304FFFF0000000100009000', 26, 36, 43.014, 43.757],
      ['00B0000010', '6986', 37, 47, 86.937, 44.326],
    ]);
    expect(report.transactions.map((t) => [t.name, t.sw])).toEqual([
      ['SELECT', '9000'],
      ['GET DATA', '9000'],
      ['READ BINARY', '6986'],
    ]);
    expect(report.problems).toEqual([]);
    expect(report.complete).toBe(true);
  });
});

describe('a real pcsc-spy log of opensc-tool', () => {
  const report = decodeTraceBytes(spyLog('opensc-tool-piv.pcsc-spy'), { file: 'opensc.log' });

  it('gives every APDU the virtual card received from it, in order, with the same status words', () => {
    const seen = apdusSeenByCard(virtualCardApduLog());
    expect(seen).toHaveLength(24);
    // The card logged opensc-tool's 21 APDUs, then scriptor's 3.
    expect(report.exchanges.map((e) => apduSeenInTrace(e.command, e.sw))).toEqual(seen.slice(0, 21));
    expect(report.exchanges.every((e) => e.device === 'Virtual PCD 00 00')).toBe(true);
    // The two APDUs given with -s, as opensc-tool -v printed them (OpenSC's PIV driver reads 5C017E once more between them).
    expect(report.exchanges.slice(-3).map((e) => [e.command, e.response])).toEqual([
      [
        '00A4040009A0000003080000100000',
        '61304F0600001000010079074F05A00000030850154361726462656E6368207669727475616C20504956AC068001110601009000',
      ],
      ['00CB3FFF035C017E00', '7E124F0BA0000003080000100001005F2F0240009000'],
      ['00CB3FFF035C017E00', '7E124F0BA0000003080000100001005F2F0240009000'],
    ]);
  });

  it('takes the ATR from SCardGetStatusChange and reports the refused SCardControl calls with their SCARD name (not its polls that time out)', () => {
    expect(report.atrs).toEqual([{ frame: 33, device: 'Virtual PCD 00 00', slot: 0, atr: '3B8A8131FE458031C073F4014082900024' }]);
    expect(report.problems.map((p) => [p.frame, p.code])).toEqual([
      [44, 'pcsc-error'],
      [81, 'pcsc-error'],
    ]);
    expect(report.problems[0]!.message).toMatch(
      /^line 44: SCardControl failed: SCARD_E_UNSUPPORTED_FEATURE \(0x8010001F\) after 0\.111 ms$/,
    );
    expect(report.devices.map((d) => d.id)).toEqual(['Virtual PCD 00 00', 'Virtual PCD 00 01']);
  });

  it('reads the same whatever the chunk size', () => {
    const whole = JSON.stringify(report);
    for (const chunkSize of [1, 13, 4096])
      expect(JSON.stringify(decodeTraceBytes(spyLog('opensc-tool-piv.pcsc-spy'), { file: 'opensc.log', chunkSize }))).toBe(whole);
  });

  it('writes a transcript that says it is a pcsc-spy log', () => {
    const lines = traceSummaryLines(report);
    expect(lines[1]).toBe('pcsc-spy log, 433 lines');
    expect(lines.join('\n')).toContain('Readers (2, APDU level):');
  });
});

describe('telling a spy log from a capture by its first bytes', () => {
  it('wants hex digits then @, decides as soon as it can', () => {
    const of = (text: string) => looksLikePcscSpyLog(new TextEncoder().encode(text));
    expect(of('7F31B2E79B80@>|1')).toBe(true);
    expect(of('7F31')).toBeUndefined();
    expect(of('')).toBeUndefined();
    expect(of('@>|')).toBe(false);
    expect(of('12345678901234567@')).toBe(false);
    expect(of('hello')).toBe(false);
    expect(looksLikePcscSpyLog(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a]))).toBe(false);
    expect(looksLikePcscSpyLog(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]))).toBe(false);
  });
});

describe('pcsc-spy logs written by hand', () => {
  it('takes the ATR and the reader from SCardStatus, once per reader and ATR', () => {
    const status = (at: number) => [
      `${T}>|1796213879|${at}|SCardStatus`,
      ...[
        '0x2D73C307',
        '0x00000064',
        '0x00000021',
        '0x00000012',
        'Pinpad 00 00',
        '0x00000034',
        '0x00000002',
        '0x0000000D',
        '3B 88 80 01 00 00 00 00 00 00 00 00 09 ',
      ].map((a) => T + a),
      `${T}<|1796213879|${at + 50}|SCardStatus|Command successful.|0x00000000`,
    ];
    const report = decodeTraceBytes(text([...status(0), ...status(100)]));
    expect(report.atrs).toEqual([{ frame: 11, device: 'Pinpad 00 00', slot: 0, atr: '3B888001000000000000000009' }]);
    expect(report.problems).toEqual([]);
    expect(report.devices.map((d) => d.id)).toEqual(['Pinpad 00 00']);
  });

  it('follows calls per thread when threads interleave, and names a handle it never saw connected', () => {
    const A = 'AAAA@';
    const B = 'BBBB@';
    const a = [...connect(A, 1000, 'Reader A', '0x00000011'), ...transmit(A, 2000, '0x00000011', '00B0000002', '01029000')];
    const b = transmit(B, 2100, '0x00000022', '00CA010100', '6A88');
    // Interleave line by line after A's connect.
    const lines = [...a.slice(0, 10)];
    for (let i = 0; i < Math.max(a.length - 10, b.length); i++) {
      if (a[10 + i]) lines.push(a[10 + i]!);
      if (b[i]) lines.push(b[i]!);
    }
    const report = decodeTraceBytes(text(lines));
    expect(report.exchanges.map((e) => [e.device, e.command, e.response])).toEqual([
      ['Reader A', '00B0000002', '01029000'],
      ['handle 0x00000022', '00CA010100', '6A88'],
    ]);
    expect(report.problems).toEqual([]);
  });

  it('masks a VERIFY PIN sent through SCardTransmit with --redact-pins, reports a failed transmit', () => {
    const lines = [
      ...connect(T, 0, 'Pinpad 00 00', '0x2D73C307'),
      ...transmit(T, 1000, '0x2D73C307', '0020008108313233343536FFFF', '9000'),
      ...transmit(T, 90_000, '0x2D73C307', '00B0000010', null, '0x80100069'),
    ];
    const report = decodeTraceBytes(text(lines));
    expect(report.exchanges.map((e) => e.command)).toEqual(['0020008108313233343536FFFF']);
    expect(JSON.stringify(redactPins(report))).not.toContain('313233343536');
    expect(report.problems).toEqual([
      {
        frame: 22,
        code: 'pcsc-error',
        message: 'line 22: SCardTransmit failed: SCARD_W_REMOVED_CARD (0x80100069) after 40 ms',
        severity: 'warning',
      },
    ]);
  });

  it('notes a PIN entry on the keypad: SCardControl with the VERIFY_PIN_DIRECT code the reader listed', () => {
    // GET_FEATURE_REQUEST answer: VERIFY_PIN_DIRECT (06) at 0x42330006; then a PIN_VERIFY_STRUCTURE for an OpenPGP VERIFY.
    const structure = toHex(openpgpPw1VerifyStructure());
    const control = (at: number, code: string, send: string, recv: string | null, result = '0x00000000') => {
      const spaced = (hex: string) => hex.replace(/(..)/g, '$1 ');
      const len = (hex: string | null) => `0x${((hex?.length ?? 0) / 2).toString(16).toUpperCase().padStart(8, '0')}`;
      return [
        `${T}>|1796213879|${at}|SCardControl`,
        ...['0x2D73C307', code, len(send), send ? spaced(send) : '', len(recv), recv ? spaced(recv) : 'NULL'].map((l) => `${T}${l}`),
        `${T}<|1796213879|${at + 5_000_000}|SCardControl|Command successful.|${result}`,
      ];
    };
    const lines = [
      ...connect(T, 0, 'Pinpad 00 00', '0x2D73C307'),
      ...control(100, '0x42000D48', '', '06044233000612044233001 2'.replace(/ /g, '')),
      ...control(200, '0x42330006', structure, '9000'),
    ];
    const report = decodeTraceBytes(text(lines));
    expect(report.pinOperations).toMatchObject([
      {
        frame: 19,
        device: 'Pinpad 00 00',
        slot: 0,
        operation: 'verify (VERIFY_PIN_DIRECT)',
        apduTemplate: '00200081',
        answer: { message: 'SCardControl', meaning: 'command processed', response: '9000', sw: '9000' },
      },
    ]);
    expect(report.exchanges).toEqual([]);
  });

  it('reports bad lines with their number and reads on; a line over the cap is skipped, not kept', () => {
    const long = `${T}${'41 '.repeat(MAX_SPY_LINE / 3 + 10)}`;
    const lines = [
      ...connect(T, 0, 'R', '0x00000001'),
      'garbage without a thread',
      `${T}<|1796213879|5|SCardBeginTransaction|0x00000000`,
      `${T}>|x|y|SCardTransmit`,
      `${T}>|1796213879|10|SCardTransmit`,
      `${T}0x00000001`,
      long,
      `${T}<|1796213879|20|SCardTransmit|Command successful.|0x00000000`,
      ...transmit(T, 100, '0x00000001', '00A4000C023F00', '9000'),
      `${T}>|1796213879|900|SCardStatus`,
    ];
    const report = decodeTraceBytes(text(lines), { chunkSize: 65536 });
    expect(report.problems.map((p) => [p.frame, p.code])).toEqual([
      [11, 'bad-line'],
      [12, 'bad-line'],
      [13, 'bad-line'],
      [16, 'line-too-long'],
      [14, 'bad-call'],
      [29, 'call-unfinished'],
    ]);
    expect(report.problems[0]!.message).toBe('line 11 is not a pcsc-spy line (THREAD@…); skipped');
    expect(report.exchanges.map((e) => e.command)).toEqual(['00A4000C023F00']);
  });

  it('drops a call whose arguments pass the cap and threads beyond the cap of open calls, with a problem each', () => {
    const line = `${T}${'00 '.repeat(60_000)}`;
    const lines = [`${T}>|1796213879|0|SCardTransmit`];
    for (let i = 0; i <= MAX_CALL_TEXT / 180_000; i++) lines.push(line);
    lines.push(`${T}<|1796213879|1|SCardTransmit|0x00000000`);
    for (let i = 0; i <= MAX_OPEN_CALLS; i++) lines.push(`${i.toString(16).toUpperCase()}F@>|1796213879|2|SCardStatus`);
    const report = decodeTraceBytes(text(lines));
    expect(report.problems.map((p) => [p.frame, p.code]).slice(0, 2)).toEqual([
      [1, 'call-too-long'],
      [lines.length, 'too-many-threads'],
    ]);
    expect(report.problems.filter((p) => p.code === 'call-unfinished')).toHaveLength(MAX_OPEN_CALLS);
  });

  it('reads the return line of later pcsc-lite versions (code without text)', () => {
    const lines = transmit(T, 0, '0x00000001', '00B0000001', '019000').map((l) => l.replace('|Command successful.|', '|'));
    expect(decodeTraceBytes(text(lines)).exchanges.map((e) => e.response)).toEqual(['019000']);
  });
});
