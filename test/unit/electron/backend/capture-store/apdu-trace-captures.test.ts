/**
 * The Captures workbench opens APDU-level traces: an exported-PDU recording and a real pcsc-spy
 * log open through the capture store with a row per APDU, response and ATR (no CCID message around
 * them), the exchanges and transactions the decode reports, and the VERIFY PIN masked in the list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CaptureNode } from '#core/ipc/channels/captures.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { exportedPduRecording, RECORDED_ATR, RECORDED_PIN, spyLog } from '../../../core/trace/apdu-trace-files.js';

const scratch = mkdtempSync(join(tmpdir(), 'cardbench-apdu-captures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let store: CaptureStore;
afterEach(async () => {
  await store?.closeAll();
});

async function opened(name: string, bytes: Uint8Array) {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  store = new CaptureStore();
  const session = await store.open(path);
  await session.finished;
  return session;
}

const ids = (nodes: readonly CaptureNode[]): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children ?? [])]);

describe('APDU-level traces in the capture store', () => {
  it('an exported-PDU recording opens with a row per packet, its exchanges and transactions, the PIN masked in the list', async () => {
    const session = await opened('recording.pcapng', exportedPduRecording());
    const status = session.status();
    expect(status).toMatchObject({ state: 'done', format: 'pcapng', packets: 11, rows: 11, exchanges: 4, transactions: 4 });
    const { rows } = session.rows(0, 11, undefined);
    expect(rows.map((r) => [r.frame, r.device, r.direction, r.name])).toEqual([
      [1, 'Virtual PCD 00 00', 'in', 'ATR'],
      [2, 'Virtual PCD 00 00', 'out', 'Command APDU'],
      [3, 'Virtual PCD 00 00', 'in', 'Response APDU'],
      [4, 'interface 1', 'out', 'Command APDU'],
      [5, 'Virtual PCD 00 00', 'out', 'Command APDU'],
      [6, 'interface 1', 'in', 'Response APDU'],
      [7, 'Virtual PCD 00 00', 'in', 'Response APDU'],
      [8, 'Virtual PCD 00 00', 'out', 'Command APDU'],
      [9, 'Virtual PCD 00 00', 'out', 'Command APDU'],
      [10, 'Virtual PCD 00 00', 'in', 'Response APDU'],
      [11, 'Virtual PCD 00 00', 'in', 'Response APDU'],
    ]);
    expect(rows[1]!.summary).toBe('SELECT  00 A4 04 00 06 D2 76 00 01 24 01 00');
    expect(rows[2]!.summary).toBe('9000 Success');
    expect(rows[4]!.summary).toBe('VERIFY  00 20 00 81 06 ** ** ** ** ** **');
    expect(rows[4]!.summary).not.toContain('31 32');
    expect([rows[1]!.ins, rows[2]!.sw]).toEqual([0xa4, '9000']);
    const select = session.detail(1)!;
    expect(select.hex).toBe('00A4040006D2760001240100');
    expect(ids(select.tree)).toEqual(expect.arrayContaining(['trace.packet', 'ccid.abData', 'iso7816.ins']));
    expect(session.detail(0)!.hex).toBe(RECORDED_ATR);
    const transactions = session.transactions(0, 10);
    expect(transactions.map((t) => t.kind === 'apdu' && t.name)).toEqual(['SELECT', 'GET DATA', 'VERIFY', 'GET DATA']);
    expect(JSON.stringify(transactions)).not.toContain(RECORDED_PIN);
    // The free-text filter reads the rows as listed: VERIFY found, its PIN not.
    expect(session.rows(0, 11, { text: 'verify' }).rows.map((r) => r.frame)).toEqual([5]);
    expect(session.rows(0, 11, { text: '31 32 33' }).matched).toBe(0);
    expect(session.rows(0, 11, { text: 'response apdu' }).matched).toBe(5);
  });

  it('a real pcsc-spy log opens with its 21 SCardTransmit as 42 rows, the ATR as one, exchanges and transactions', async () => {
    const session = await opened('opensc.pcsc-spy', spyLog('opensc-tool-piv.pcsc-spy'));
    const status = session.status();
    expect(status).toMatchObject({ state: 'done', format: 'pcsc-spy', packets: 433, rows: 43, exchanges: 21 });
    expect(status.transactions).toBeGreaterThan(0);
    expect(status.fileProblems).toEqual([]);
    const { rows } = session.rows(0, 3, undefined);
    expect(rows.map((r) => [r.frame, r.name, r.summary])).toEqual([
      [33, 'ATR', 'ATR'],
      [136, 'Command APDU', expect.stringMatching(/^SELECT {2}00 A4 04 00 07 62 76 01 FF 00 00 00$/)],
      [146, 'Response APDU', expect.stringMatching(/^6A82 /)],
    ]);
    expect(status.devices.map((d) => d.id)).toContain('Virtual PCD 00 00');
  });
});
