/**
 * The capture viewer and PIN data: the row list never shows it, and "redacted" exports (JSON,
 * text, scriptor script) hold it nowhere — decided by exchange membership at the APDU level:
 * the reassembled APDU says whether it carries a secret, and every message that carried it
 * (T=1 blocks, chained parts, retransmissions) is masked, whatever the transport was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportCapture } from '../../../../../electron/backend/capture-store/capture-export.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import {
  apduLevelSecrets,
  CHAINED_PIN,
  expectNoSecretField,
  PIN_FORMS,
  secretsIn,
  t1Secrets,
  unansweredChainedVerify,
} from '../../../core/trace/secret-captures.js';

const PINPAD = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'];
const pinpadMissing = requireShared(...PINPAD);

const scratch = mkdtempSync(join(tmpdir(), 'cardbench-viewer-redact-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let store: CaptureStore | undefined;
afterEach(async () => {
  await store?.closeAll();
  store = undefined;
});

async function opened(path: string) {
  store = new CaptureStore();
  const session = await store.open(path);
  await session.finished;
  expect(session.state).toBe('done');
  return session;
}

async function openedBytes(name: string, bytes: Uint8Array) {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return opened(path);
}

type ExportJson = { redacted: boolean; rows: { row: number; name: string; summary: string; hex: string }[] };

/** CCID header (10 bytes) then only masked bytes. */
const MASKED_XFR = /^6F[0-9A-F]{18}(\*\*)+$/;

describe('capture viewer: secret data masked by exchange membership', () => {
  it('T=1 from a reader without descriptors: the list and every redacted export hide the PIN in every block that carried it', async () => {
    const session = await openedBytes('t1.pcapng', t1Secrets());
    const { rows } = session.rows(0, 1000, undefined);
    expect(rows.length).toBe(session.columns.length);
    for (const row of rows) expect(secretsIn(row.summary), `row ${row.row}: ${row.summary}`).toEqual([]);

    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as ExportJson;
    expect(json.redacted).toBe(true);
    expectNoSecretField(json);
    const xfr = json.rows.filter((r) => r.name === 'PC_to_RDR_XfrBlock');
    // VERIFY and its retransmission, both blocks of the chained CHANGE REFERENCE DATA, and the
    // VERIFY left unanswered at the end: five blocks, masked whole (a T=1 block is no APDU).
    expect(xfr.filter((r) => MASKED_XFR.test(r.hex))).toHaveLength(5);
    // SELECT, GET DATA and the SetParameters stay as captured: evidence is masked only where needed.
    expect(xfr.filter((r) => !r.hex.includes('*'))).toHaveLength(2);
    expect(xfr.map((r) => r.hex).join()).toContain('00A4040006D27600012401');

    for (const format of ['text', 'script'] as const) {
      const text = exportCapture(session, { format, redactPins: true }).text;
      expect(secretsIn(text), format).toEqual([]);
    }
    for (const t of session.transactions(0, 100)) expect(secretsIn(t.command)).toEqual([]);
    // Without redaction the export is the evidence, PIN included.
    expect(secretsIn(exportCapture(session, { format: 'json', redactPins: false }).text)).toContain(PIN_FORMS[0]);
  });

  it('T=1 in a capture that starts mid-session (no ATR): the same blocks are masked', async () => {
    const session = await openedBytes('t1-mid.pcapng', t1Secrets({ captureStartsMidSession: true }));
    for (const row of session.rows(0, 1000, undefined).rows) expect(secretsIn(row.summary), row.summary).toEqual([]);
    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as ExportJson;
    expectNoSecretField(json);
    expect(json.rows.filter((r) => MASKED_XFR.test(r.hex))).toHaveLength(5);
    for (const format of ['text', 'script'] as const)
      expect(secretsIn(exportCapture(session, { format, redactPins: true }).text)).toEqual([]);
  });

  it('a chained command no exchange claims (no answer captured): its continuation part is masked, though it reads as an APDU', async () => {
    const session = await openedBytes('chained.pcapng', unansweredChainedVerify());
    for (const row of session.rows(0, 1000, undefined).rows) expect(secretsIn(row.summary, [CHAINED_PIN]), row.summary).toEqual([]);
    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as ExportJson;
    expectNoSecretField(json, [CHAINED_PIN]);
    // The first part holds only the header and the extended Lc: nothing to hide there.
    expect(json.rows.filter((r) => MASKED_XFR.test(r.hex)).map((r) => r.hex)).toEqual([`6F050000000002000200${'**'.repeat(5)}`]);
  });

  it('APDU level: every command of the secret table is masked in the list, the exports and the transactions', async () => {
    const session = await openedBytes('apdu.pcapng', apduLevelSecrets());
    for (const row of session.rows(0, 1000, undefined).rows) expect(secretsIn(row.summary), row.summary).toEqual([]);
    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as ExportJson;
    expectNoSecretField(json);
    // A command that is the APDU itself keeps header and Lc, like the Console shows it.
    // bSeq 2; the CCID header, then CLA INS P1 P2 Lc.
    expect(json.rows.map((r) => r.hex)).toContain(`6F0B0000000002000000${'0020008206'}${'**'.repeat(6)}`);
    for (const format of ['text', 'script'] as const)
      expect(secretsIn(exportCapture(session, { format, redactPins: true }).text)).toEqual([]);
    for (const t of session.transactions(0, 100)) expect(secretsIn(t.command)).toEqual([]);
  });

  it.skipIf(pinpadMissing)('the real pinpad capture: redacted exports hold PIN 1234 nowhere, list included', async () => {
    const session = await opened(sharedPath(...PINPAD));
    const pin = ['31323334'];
    for (const row of session.rows(0, 1000, undefined).rows) expect(secretsIn(row.summary, pin)).toEqual([]);
    for (const format of ['json', 'text', 'script'] as const) {
      const text = exportCapture(session, { format, redactPins: true }).text;
      expect(secretsIn(text, pin), format).toEqual([]);
    }
    expectNoSecretField(JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text), pin);
  });
});
