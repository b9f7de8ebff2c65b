/**
 * `decode --redact-pins` output, checked field by field: every string of the report (and every
 * line of the transcript) is searched for the known PIN in each of its forms, so a field added
 * later cannot leak quietly. Synthetic captures carry the PIN through every secret-carrying
 * command; the real pinpad capture carries a VERIFY with PIN 1234 and eight Secure templates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes, redactPins, traceMessageLine, traceSummaryLines, type TraceReport } from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { apduLevelSecrets, expectNoSecretField, NEW_PIN, PIN_FORMS, secretsIn, stringsOf, t1Secrets } from './secret-captures.js';

const PINPAD = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'];
const pinpadMissing = requireShared(...PINPAD);
/** PIN "1234" of the pinpad capture's SCardTransmit VERIFY (00 20 00 81 08 31 32 33 34 FF FF FF FF), ASCII and BCD. */
const PINPAD_PIN = ['31323334', '1234'];

function transcript(bytes: Uint8Array, redact: boolean): { report: TraceReport; text: string } {
  const lines: string[] = [];
  const report = decodeTraceBytes(bytes, { file: 'test.pcapng', handlers: { message: (m) => lines.push(traceMessageLine(m)) } });
  lines.push(...traceSummaryLines(redact ? redactPins(report) : report, { redactPins: redact }));
  return { report, text: lines.join('\n') };
}

describe('redactPins: no string field of the report holds a PIN or key', () => {
  it('APDU level: every secret-carrying command of the table, in exchanges and transactions alike', () => {
    const report = decodeTraceBytes(apduLevelSecrets(), { file: 'test.pcapng' });
    // The capture really holds them, in both lists (else this test could not fail).
    expect(secretsIn(JSON.stringify(report.exchanges))).toEqual(expect.arrayContaining([...PIN_FORMS, NEW_PIN]));
    expect(secretsIn(JSON.stringify(report.transactions))).toContain(PIN_FORMS[0]);
    expect(report.redacted).toBe(false);

    const redacted = redactPins(report);
    expectNoSecretField(redacted);
    expect(redacted.redacted).toBe(true);
    expect(redacted.exchanges).toHaveLength(report.exchanges.length);
    expect(redacted.transactions).toHaveLength(report.transactions.length);
    // Header and Lc stay; only the data is masked, one '**' per byte; other commands are untouched.
    expect(redacted.exchanges.map((e) => e.command)).toEqual([
      '00A4040006D27600012401',
      '0020008206************',
      '0020008206************',
      '0020008108****************',
      `002400810C${'**'.repeat(12)}`,
      '0026008106************',
      '0028008106************',
      `002C00810C${'**'.repeat(12)}`,
      '00DA00D306************',
      `10DB3FFF0A${'**'.repeat(10)}`,
      `00DB3FFF18${'**'.repeat(24)}`,
      `00FFFFFF1B${'**'.repeat(27)}`,
      `00FE079A1D${'**'.repeat(29)}`,
      '00CA006E00',
    ]);
    expect(redacted.exchanges.at(-1)!.response).toBe(report.exchanges.at(-1)!.response);
    // The report it came from is left as captured (a capture is evidence).
    expect(report.exchanges[1]!.command).toBe('0020008206313233343536');
  });

  it('T=1 without descriptors: chained and retransmitted blocks rebuilt into APDUs, then masked', () => {
    const report = decodeTraceBytes(t1Secrets(), { file: 'test.pcapng' });
    expect(report.exchanges.map((e) => e.command)).toEqual([
      '00A4040006D27600012401',
      '0020008206313233343536',
      `002400810C313233343536${NEW_PIN}`,
      '00CA006E00',
    ]);
    expect(report.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['retransmission', 'missing-answer']));
    expectNoSecretField(redactPins(report));
  });

  it('T=1 in a capture that starts mid-session (no ATR, no descriptors): blocks are still read as blocks, then masked', () => {
    const report = decodeTraceBytes(t1Secrets({ captureStartsMidSession: true }), { file: 'test.pcapng' });
    expect(report.atrs).toEqual([]);
    expect(report.exchanges.map((e) => e.command)).toEqual([
      '00A4040006D27600012401',
      '0020008206313233343536',
      `002400810C313233343536${NEW_PIN}`,
      '00CA006E00',
    ]);
    expect(report.problems.map((p) => p.code)).toContain('t1-from-traffic');
    expectNoSecretField(redactPins(report));
  });

  it.skipIf(pinpadMissing)('the real pinpad capture: the VERIFY of SCardTransmit and the Secure APDU templates', () => {
    const report = decodeTraceBytes(readFileSync(sharedPath(...PINPAD)), { file: 'pinpad.pcapng' });
    expect(secretsIn(JSON.stringify(report), PINPAD_PIN).length).toBeGreaterThan(0);
    const redacted = redactPins(report);
    expectNoSecretField(redacted, PINPAD_PIN);
    // Templates keep CLA INS P1 P2 Lc; the PIN block the reader fills in is masked like PIN data.
    expect(redacted.pinOperations.map((p) => p.apduTemplate)).toContain('0020008108****************');
    expect(redacted.pinOperations.find((p) => p.apduTemplate === '00200081')).toBeDefined();
    expect(redacted.exchanges.map((e) => e.command)).toEqual([
      '00A4040C09F04C41424341524401',
      '00200081',
      '00200081',
      '0020008108****************',
      '00200081',
    ]);
  });

  it('every string the report carries is visited by the check (a field that escapes the walk cannot escape the test)', () => {
    const report = redactPins(decodeTraceBytes(apduLevelSecrets(), { file: 'test.pcapng' }));
    const paths = stringsOf(report).map(([path]) => path.replace(/\[\d+\]/g, '[]'));
    expect([...new Set(paths)]).toEqual(
      expect.arrayContaining(['$.exchanges[].command', '$.exchanges[].response', '$.transactions[].command', '$.atrs[].atr', '$.file']),
    );
  });
});

describe('decode transcript (text)', () => {
  it('with --redact-pins: no line holds a PIN or key, spaced or not, and the summary says it is masked', () => {
    for (const capture of [apduLevelSecrets(), t1Secrets()]) {
      const { text } = transcript(capture, true);
      expect(secretsIn(text)).toEqual([]);
      expect(text).toMatch(/^PIN data: .*masked/m);
    }
  });

  it('by default shows the bytes as captured, and says so and how to mask them, when the capture holds PIN data', () => {
    const { text } = transcript(apduLevelSecrets(), false);
    expect(secretsIn(text)).toContain(PIN_FORMS[0]);
    expect(text).toMatch(/^PIN data: 12 commands carry secret data, shown as captured \(mask them with --redact-pins\)$/m);
    const clean = decodeTraceBytes(apduLevelSecrets(), { file: 'x' });
    clean.exchanges = clean.exchanges.filter((e) => e.command.startsWith('00A4') || e.command.startsWith('00CA'));
    expect(traceSummaryLines(clean).join('\n')).not.toContain('PIN data');
  });
});
