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
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeExportedPduTags } from '#core/capture/exported-pdu.js';
import { PIN_VERIFY_HEADER_LENGTH } from '#core/pcsc/index.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { concatBytes, epb, epbWithComment, idb, shb } from '../../../core/capture/capture-builder.js';
import { exportedPduRecording, RECORDED_ATR, RECORDED_PIN, spyLog } from '../../../core/trace/apdu-trace-files.js';
import { openpgpPw1VerifyStructure } from '../../../../support/openpgp-pinpad.js';

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
    expect(status.messageTypes).toEqual([{ code: 0, name: 'APDU, response or ATR (no CCID message)', count: 11 }]);
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

  it('places keypad PIN entries of a recording and of a spy log in the conversation, timed by their rows', async () => {
    const structure = openpgpPw1VerifyStructure();
    const template = structure.subarray(PIN_VERIFY_HEADER_LENGTH);
    const comment = `event: PIN entry on the reader keypad\nrequest: PC/SC VERIFY_PIN_DIRECT (control code 0x42330006)\nstructure: ${toHex(structure.subarray(0, PIN_VERIFY_HEADER_LENGTH))}`;
    const recording = concatBytes(
      shb(),
      idb({ linkType: 252, comment: 'reader: Pinpad 00 00' }),
      epb(0, 1_000n, concatBytes(encodeExportedPduTags('iso7816', 0), fromHex('00A4040006D27600012401'))),
      epb(0, 2_000n, concatBytes(encodeExportedPduTags('iso7816', 1), fromHex('9000'))),
      epbWithComment(0, 3_000n, concatBytes(encodeExportedPduTags('iso7816', 0), template), comment),
      epb(0, 4_503_000n, concatBytes(encodeExportedPduTags('iso7816', 1), fromHex('9000'))),
    );
    const session = await opened('pin.pcapng', recording);
    const lines = session.transactions(0, 5);
    expect(lines.map((l) => [l.kind, l.name, l.sw, l.row, l.timeMs, l.durationMs])).toEqual([
      ['apdu', 'SELECT', '9000', 0, 0, 1],
      ['pin', 'PIN verify (PC/SC VERIFY_PIN_DIRECT (control code 0x42330006)) on the keypad', '9000', 2, 2, 4500],
    ]);

    const T = '7F31B2E79B80@';
    const spaced = (bytes: Uint8Array) => toHex(bytes).replace(/(..)/g, '$1 ');
    const hex32 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
    const features = fromHex('060442330006');
    const log = [
      `${T}>|1796213879|0|SCardConnect`,
      ...['0x7D9F60F4', 'Pinpad 00 00', '0x00000002', '0x00000003', '0x00000000', '0x00000000', '0x2D73C307', '0x00000002'].map(
        (a) => T + a,
      ),
      `${T}<|1796213879|100|SCardConnect|Command successful.|0x00000000`,
      `${T}>|1796213879|200|SCardControl`,
      ...['0x2D73C307', '0x42000D48', '0x00000000', '', hex32(features.length), spaced(features)].map((a) => T + a),
      `${T}<|1796213879|300|SCardControl|Command successful.|0x00000000`,
      `${T}>|1796213879|1000|SCardControl`,
      ...['0x2D73C307', '0x42330006', hex32(structure.length), spaced(structure), '0x00000002', '63 C2 '].map((a) => T + a),
      `${T}<|1796213882|1000|SCardControl|Command successful.|0x00000000`,
    ].join('\n');
    const spy = await opened('pin.pcsc-spy', new TextEncoder().encode(`${log}\n`));
    expect(spy.status()).toMatchObject({ rows: 2, exchanges: 0, pinOperations: 1 });
    expect(spy.transactions(0, 5).map((l) => [l.kind, l.sw, l.row, l.timeMs, l.durationMs])).toEqual([['pin', '63C2', 0, 1, 3000]]);
  });
});
