/**
 * The free-text filter without re-decoding rows (row-search.ts): its list line equals the one
 * describeRow gives, row for row, on every real capture and on the secret-carrying ones, so no
 * search loses a match it had; what it adds (hex without spaces, ASCII, frame numbers) is
 * really in the row's shown data or frame, and never in secret data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import type { CaptureSession } from '../../../../../electron/backend/capture-store/capture-session.js';
import { describeRow } from '../../../../../electron/backend/capture-store/row-decode.js';
import { RowLines } from '../../../../../electron/backend/capture-store/row-search.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import { apduLevelSecrets, PIN_FORMS, t1Secrets, unansweredChainedVerify } from '../../../core/trace/secret-captures.js';
import { exportedPduRecording, RECORDED_PIN, spyLog } from '../../../core/trace/apdu-trace-files.js';

const CAPTURES = [
  ['usbpcap-emv-gcc2024', 'usb.pcapng'],
  ['usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng'],
  ['usbmon-qemu-labcard', 'labcard-basic.usbmon.pcap'],
  ['usbmon-qemu-labcard', 'labcard-basic.qemu.pcap'],
  ['usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'],
  ['usbmon-qemu-pinpad', 'pinpad-labcard.qemu.pcap'],
].map((parts) => ['captures', ...parts]);
const missing = requireShared(...CAPTURES[0]!);

/** What a user types: names, hex with spaces, status words, devices, message types, words of other summaries. */
const SEARCHES = [
  'read record',
  'select',
  '00 a4 04 00',
  'a4 04',
  '6a82',
  '9000',
  'file or application not found',
  'success',
  'bytes of data',
  'pc_to_rdr_xfrblock',
  'datablock',
  'datablock 9000',
  'seq 3',
  'card',
  'slot 0',
  '1.2',
  'verify',
  '…',
  'b2',
];

const scratch = mkdtempSync(join(tmpdir(), 'cardbench-row-search-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let store: CaptureStore | undefined;
afterEach(async () => {
  await store?.closeAll();
  store = undefined;
});

async function opened(path: string): Promise<CaptureSession> {
  store = new CaptureStore();
  const session = await store.open(path);
  await session.finished;
  expect(session.state).toBe('done');
  return session;
}

function oldLine(session: CaptureSession, row: number): string {
  const r = describeRow(session, row);
  return `${r.name} ${r.summary} ${r.sw ?? ''} ${r.device}`.toLowerCase();
}

/** The rows a search finds, searched on this thread (no prepare), as unit tests of the filter ask. */
function matches(session: CaptureSession, text: string): number[] {
  const { rows } = session.rows(0, session.columns.length, { text });
  return rows.map((r) => r.row);
}

/** The rows a search finds as the workbench asks (capture.rows): the session's search worker answers first. */
async function workerMatches(session: CaptureSession, text: string): Promise<number[]> {
  // A filter the session has cached is not searched again: a variant of the text nobody asked for yet.
  const filter = { text: ` ${text} ` };
  await session.prepare(filter);
  expect(session.searchedRows(text.trim().toLowerCase()), `the worker answered ${text}`).toBe(session.columns.length);
  const { rows } = session.rows(0, session.columns.length, filter);
  return rows.map((r) => r.row);
}

function inBytes(session: CaptureSession, row: number, text: string): boolean {
  const bytes = session.bytes(row);
  return (
    toHex(bytes).toLowerCase().includes(text.replace(/\s+/g, '')) || Buffer.from(bytes).toString('latin1').toLowerCase().includes(text)
  );
}

/** Every row's line is describeRow's, and the automaton finds each search text exactly where the line has it. */
function expectSameLines(session: CaptureSession): void {
  const lines = new RowLines(session);
  const found = SEARCHES.map((text) => lines.matcher(text));
  for (let row = 0; row < session.columns.length; row++) {
    const line = lines.line(row);
    expect(line, `row ${row}`).toBe(oldLine(session, row));
    // Compared as one list: an expect per text and row costs more than the search itself.
    expect(
      found.map((test) => test(row)),
      `row ${row}`,
    ).toEqual(SEARCHES.map((text) => line.includes(text)));
  }
}

describe.skipIf(missing !== undefined)('free-text search over the rows', () => {
  it.each(CAPTURES.map((parts) => [parts.at(-1)!, parts] as const))(
    '%s: every row’s line is describeRow’s, and no search loses a match',
    async (_, parts) => {
      const session = await opened(sharedPath(...parts));
      expect(session.columns.length).toBeGreaterThan(0);
      expectSameLines(session);
      for (const text of SEARCHES) {
        const before = Array.from({ length: session.columns.length }, (_, row) => row).filter((row) =>
          oldLine(session, row).includes(text),
        );
        const now = matches(session, text);
        expect(await workerMatches(session, text), `${text} in the search worker`).toEqual(now);
        // Every old match is kept; a new one holds the text in its bytes (hex past the preview, ASCII).
        expect(
          now.filter((row) => before.includes(row)),
          text,
        ).toEqual(before);
        for (const row of now.filter((r) => !before.includes(r))) expect(inBytes(session, row, text), `${text}: row ${row}`).toBe(true);
      }
    },
  );

  it('finds hex without spaces, ASCII and frame numbers in the EMV capture', async () => {
    const session = await opened(sharedPath(...CAPTURES[0]!));
    const selects = matches(session, '00a40400');
    expect(selects.length).toBeGreaterThan(0);
    expect(selects).toEqual(matches(session, '00 A4 04 00'));
    for (const row of selects) expect(toHex(session.bytes(row))).toContain('00A40400');
    // The application label of a card's FCI, as ASCII in the answer.
    const labelled = matches(session, 'MASTERCARD');
    expect(labelled.length).toBeGreaterThan(0);
    for (const row of labelled) expect(Buffer.from(session.bytes(row)).toString('latin1').toUpperCase()).toContain('MASTERCARD');
    expect(matches(session, 'mastercard')).toEqual(labelled);
    expect(await workerMatches(session, 'MASTERCARD')).toEqual(labelled);
    expect(await workerMatches(session, '00a40400')).toEqual(selects);
    const frame = session.columns.frame[100]!;
    expect(matches(session, String(frame))).toContain(100);
    expect(matches(session, `#${frame}`)).toEqual([100]);
  });

  it.each([
    ['exported-PDU recording.pcapng', exportedPduRecording],
    ['opensc.pcsc-spy', () => spyLog('opensc-tool-piv.pcsc-spy')],
  ] as const)('APDU-level trace %s: lines as describeRow, searches as before, the recorded PIN not found', async (name, build) => {
    const path = join(scratch, name);
    writeFileSync(path, build());
    const session = await opened(path);
    expectSameLines(session);
    const oldLines = Array.from({ length: session.columns.length }, (_, row) => oldLine(session, row));
    for (const text of [...SEARCHES, 'command apdu', 'response apdu', 'atr']) {
      const before = oldLines.flatMap((line, row) => (line.includes(text) ? [row] : []));
      expect(
        matches(session, text).filter((row) => before.includes(row)),
        text,
      ).toEqual(before);
    }
    const pin = RECORDED_PIN.toLowerCase();
    for (const row of matches(session, pin)) expect(oldLine(session, row), `${pin}: row ${row}`).toContain(pin);
  });

  it.each([
    ['APDU level', apduLevelSecrets],
    ['T=1 blocks', t1Secrets],
    ['unanswered chained VERIFY', unansweredChainedVerify],
  ] as const)('%s: lines as describeRow, and no PIN is found by searching for it', async (name, build) => {
    const path = join(scratch, `${name.replace(/\W+/g, '-')}.pcapng`);
    writeFileSync(path, build());
    const session = await opened(path);
    expectSameLines(session);
    for (const pin of PIN_FORMS) {
      expect(await workerMatches(session, pin), `${pin} in the search worker`).toEqual(matches(session, pin));
      for (const row of matches(session, pin)) {
        // Only a row whose frame number or shown text holds the digits, never the secret data.
        expect(oldLine(session, row).includes(pin.toLowerCase()) || String(session.columns.frame[row]) === pin, `${pin}: row ${row}`).toBe(
          true,
        );
      }
    }
  });
});
