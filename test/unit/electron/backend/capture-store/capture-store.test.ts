import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CaptureNode } from '#core/ipc/channels/captures.js';
import { nodeAtOffset } from '#core/dissect/node.js';
import { createBackend, type Backend } from '../../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../../electron/backend/electron-status.js';
import { exportCapture } from '../../../../../electron/backend/capture-store/capture-export.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import { controllableProbes } from '../../../../support/fake-probes.js';

const GCC = ['captures', 'usbpcap-emv-gcc2024', 'usb.pcapng'];
const PINPAD = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'];
const LABCARD = ['captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng'];
const missing = requireShared(...GCC);
const scratch = mkdtempSync(join(tmpdir(), 'cardbench-store-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let store: CaptureStore;
afterEach(async () => {
  await store?.closeAll();
});

async function opened(parts: string[], chunkSize?: number) {
  store = new CaptureStore(chunkSize !== undefined ? { chunkSize } : {});
  const session = await store.open(sharedPath(...parts));
  await session.finished;
  return session;
}

function find(nodes: readonly CaptureNode[], id: string): CaptureNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const inner = node.children && find(node.children, id);
    if (inner) return inner;
  }
  return undefined;
}

describe.skipIf(missing !== undefined)('capture store on the real captures', () => {
  it('indexes every CCID message of the GCC capture as a row, with its exchanges and transactions', async () => {
    const session = await opened(GCC);
    const status = session.status();
    expect(status.state).toBe('done');
    expect(status.format).toBe('pcapng');
    expect(status.rows).toBe(426);
    expect(status.exchanges).toBe(208);
    expect(status.transactions).toBeGreaterThan(150);
    expect(status.messageTypes.find((t) => t.name === 'PC_to_RDR_XfrBlock')?.count).toBe(208);
    const { rows, matched } = session.rows(0, 500, undefined);
    expect(matched).toBe(426);
    expect(rows).toHaveLength(426);
    expect(rows.map((r) => r.row)).toEqual(rows.map((_, i) => i));
    const names = session.transactions(0, 500).map((t) => t.name);
    expect(names).toContain('GET PROCESSING OPTIONS');
    expect(names).toContain('SELECT');
  });

  it('keeps the 16 split DataBlocks whole: every answer row is as long as its dwLength says', async () => {
    const session = await opened(GCC);
    const data = session.rows(0, 500, { messageType: 0x80 }).rows;
    expect(data.filter((r) => r.sw !== null)).toHaveLength(208);
    for (const row of data) {
      const bytes = session.bytes(row.row);
      const dwLength = bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24);
      expect(bytes.length).toBe(10 + dwLength);
    }
    const split = data.filter((r) => r.transfers > 1);
    expect(split).toHaveLength(16);
    const detail = session.detail(split[0]!.row)!;
    expect(detail.frames).toHaveLength(2);
    expect(detail.hex.length).toBe(split[0]!.length * 2);
    expect(detail.row.summary).toMatch(/^9000 /);
  });

  it('filters by message type, INS, SW class, device, slot, problems and free text', async () => {
    const session = await opened(GCC);
    const gpo = session.rows(0, 500, { ins: 0xa8 }).rows;
    expect(gpo.length).toBeGreaterThanOrEqual(2);
    expect(gpo.every((r) => r.ins === 0xa8)).toBe(true);
    expect(gpo.some((r) => r.direction === 'out' && r.summary.startsWith('GET PROCESSING OPTIONS'))).toBe(true);
    const errors = session.rows(0, 500, { swClass: 'error' }).rows;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((r) => r.sw !== null && /^6[4-9A-F]/.test(r.sw))).toBe(true);
    const device = session.status().devices.find((d) => d.vendorId === '2ce3')!.id;
    expect(session.rows(0, 500, { device }).matched).toBe(426);
    expect(session.rows(0, 500, { device: 'nope' }).matched).toBe(0);
    expect(session.rows(0, 500, { slot: 0 }).matched).toBe(426);
    expect(session.rows(0, 500, { slot: 1 }).matched).toBe(0);
    expect(session.rows(0, 500, { problemsOnly: true }).matched).toBe(0);
    const text = session.rows(0, 500, { text: 'get processing' });
    expect(text.matched).toBe(gpo.filter((r) => r.direction === 'out').length);
    const view = session.view({ ins: 0xa8 });
    expect(view.indexOf(gpo[1]!.row)).toBe(1);
    expect(view.indexOf(0)).toBe(-1);
  });

  it('gives a row detail: the CCID tree and the APDU tree over the same bytes', async () => {
    const session = await opened(GCC);
    const command = session.rows(0, 1, { ins: 0xa8, messageType: 0x6f }).rows[0]!;
    const detail = session.detail(command.row)!;
    expect(detail.hex.startsWith('6F')).toBe(true);
    expect(detail.hex.slice(20, 28)).toBe('80A80000');
    expect(detail.tree.map((n) => n.id)).toEqual(['ccid']);
    expect(find(detail.tree, 'ccid.abData')?.children?.[0]?.id).toMatch(/^iso7816/);
    const ins = find(detail.tree, 'iso7816.ins')!;
    expect(ins.offset).toBe(11);
    expect(ins.length).toBe(1);
    // Clicking byte 11 in the hex pane lands on the INS field.
    expect(nodeAtOffset(detail.tree as never, 11)?.id).toBe('iso7816.ins');
    expect(JSON.parse(JSON.stringify(detail))).toEqual(detail);
  });

  it('exports JSON, text and a scriptor script, with PIN data redacted on demand', async () => {
    const session = await opened(LABCARD);
    const plain = exportCapture(session, { format: 'script', redactPins: false });
    const redacted = exportCapture(session, { format: 'script', redactPins: true });
    const apduLines = plain.text.split('\n').filter((l) => /^[0-9A-F]{2}( [0-9A-F]{2})+$/.test(l));
    expect(apduLines).toHaveLength(session.status().exchanges);
    expect(plain.text).toMatch(/^00 20 00 .*\n# expect 63C3/m);
    // VERIFY with a PIN never appears in clear; VERIFY without data (asks the counter) may.
    expect(redacted.text).not.toMatch(/^00 20 00 \S+ \S+ /m);
    expect(plain.text).toMatch(/^00 20 00 \S+ \S+ /m);
    expect(redacted.text).toMatch(/^# PIN redacted.*\n# 00 20 00 \S+ \S+ (\*\* )+/m);
    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as {
      rows: { hex: string }[];
      exchanges: { command: string }[];
    };
    expect(json.rows).toHaveLength(session.columns.length);
    const verify = json.exchanges.filter((e) => e.command.startsWith('002000') && e.command.length > 10);
    expect(verify.length).toBeGreaterThanOrEqual(3);
    expect(verify.every((e) => e.command.includes('**'))).toBe(true);
    const plainJson = exportCapture(session, { format: 'json', redactPins: false }).text;
    expect(plainJson).not.toContain('**');
    const text = exportCapture(session, { format: 'text', redactPins: true, range: { start: 0, count: 10 } });
    expect(text.fileName).toContain('rows-1-10');
    expect(text.text.split('\n').filter((l) => l.startsWith('\t'))).toHaveLength(10);
  });

  it('masks the PIN block of CCID Secure messages in exports', async () => {
    const session = await opened(PINPAD);
    const secure = session.rows(0, 500, { messageType: 0x69 }).rows;
    expect(secure.length).toBe(8);
    const json = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as { rows: { row: number; hex: string }[] };
    let masked = 0;
    for (const row of secure) {
      const hex = json.rows.find((r) => r.row === row.row)!.hex;
      expect(hex.startsWith('69')).toBe(true);
      expect(hex.length).toBe(session.bytes(row.row).length * 2);
      if (hex.includes('**')) masked++;
    }
    // Templates longer than CLA INS P1 P2 Lc carry a PIN block; case-1 templates have none to mask.
    expect(masked).toBeGreaterThanOrEqual(5);
    const plain = exportCapture(session, { format: 'json', redactPins: false }).text;
    expect(plain).not.toContain('**');
  });

  it('answers row windows while the import runs and stops when cancelled', async () => {
    store = new CaptureStore({ chunkSize: 4096 });
    const session = await store.open(sharedPath(...GCC));
    let seenWhileImporting = 0;
    const sawRows = new Promise<void>((resolve) => {
      const poll = (): void => {
        if (session.state !== 'importing') return resolve();
        const rows = session.rows(0, 10, undefined);
        if (rows.matched > 0) {
          seenWhileImporting = rows.matched;
          session.cancel();
          return resolve();
        }
        setImmediate(poll);
      };
      poll();
    });
    await sawRows;
    await session.finished;
    expect(seenWhileImporting).toBeGreaterThan(0);
    expect(session.state).toBe('cancelled');
    expect(session.columns.length).toBeLessThan(426);
    expect(session.status().bytesRead).toBeLessThan(session.status().totalBytes);
  });

  it('says clearly why a corrupt or missing file cannot be read, without crashing', async () => {
    const junk = join(scratch, 'junk.pcapng');
    writeFileSync(junk, Buffer.from('this is not a capture at all, just some text bytes'.repeat(20)));
    store = new CaptureStore();
    const session = await store.open(junk);
    await session.finished;
    expect(session.state).toBe('failed');
    expect(session.status().problem).toMatch(/junk\.pcapng.*(pcap|capture)/i);
    expect(session.columns.length).toBe(0);
    await expect(store.open(join(scratch, 'absent.pcapng'))).rejects.toThrow(/no such file/);
    await expect(store.open('relative.pcapng')).rejects.toThrow(/full path/);
    await expect(store.open(scratch)).rejects.toThrow(/not a regular file/);
  });

  it('serves the channels through the backend, with progress events', async () => {
    store = new CaptureStore();
    const backend: Backend = createBackend({
      shell: 'browser',
      electron: electronStatusFor('browser'),
      probes: controllableProbes({ pcsc: { available: false, reason: 'no' }, usb: { available: false, reason: 'no' } }),
    });
    const states: string[] = [];
    backend.subscribe((e) => {
      if (e.event === 'capture.progress') states.push(e.payload.state);
    });
    const opened = await backend.call('capture.open', { path: sharedPath(...GCC) });
    expect(opened.ok).toBe(true);
    const id = (opened as { result: { id: string } }).result.id;
    await expect.poll(() => states.at(-1)).toBe('done');
    const rows = await backend.call('capture.rows', { id, start: 420, count: 500 });
    expect(rows).toMatchObject({ ok: true, result: { total: 426, matched: 426, start: 420 } });
    expect(await backend.call('capture.rows', { id, start: 0, count: 501 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-arguments' },
    });
    expect(await backend.call('capture.detail', { id, row: 9999 })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(await backend.call('capture.pickFile', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await backend.call('capture.close', { id })).toEqual({ ok: true, result: { closed: true } });
    expect(await backend.call('capture.status', { id })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('not open') },
    });
    backend.dispose();
  });
});
