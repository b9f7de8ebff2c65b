/**
 * What the Captures workbench needs from the store beyond rows (issue 10, items 7–12): the
 * capture's devices with their CCID descriptors, file-level problems, PIN entries in the
 * conversation and the JSON export, T=1 blocks and one-line TLVs in the detail tree, and the
 * timing plot's points summed up per pixel column.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CaptureNode } from '#core/ipc/channels/captures.js';
import { TIMING_KINDS } from '#core/ipc/channels/captures.js';
import { exportCapture } from '../../../../../electron/backend/capture-store/capture-export.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { TimingIndex, type TimingEntry } from '../../../../../electron/backend/capture-store/timing-index.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import { GET_DATA_ANSWER, t1ReaderCapture } from '../../../../support/t1-reader-capture.js';

const GCC = ['captures', 'usbpcap-emv-gcc2024', 'usb.pcapng'];
const PINPAD = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'];
const LABCARD = ['captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng'];
const missing = requireShared(...GCC);
const scratch = mkdtempSync(join(tmpdir(), 'cardbench-workbench-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let store: CaptureStore;
afterEach(async () => {
  await store?.closeAll();
});

async function openedFile(path: string) {
  store = new CaptureStore();
  const session = await store.open(path);
  await session.finished;
  return session;
}
const opened = (parts: string[]) => openedFile(sharedPath(...parts));

function find(nodes: readonly CaptureNode[], id: string): CaptureNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const inner = node.children && find(node.children, id);
    if (inner) return inner;
  }
  return undefined;
}
const ids = (nodes: readonly CaptureNode[]): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children ?? [])]);

describe.skipIf(missing !== undefined)('the capture store for the Captures workbench', () => {
  it('lists the devices: CCID readers first with VID:PID, traffic and decoded class descriptor, the others after', async () => {
    const session = await opened(GCC);
    const devices = session.status().devices;
    expect(devices.map((d) => [d.id, d.vendorId, d.productId, d.ccidDetection, d.messages])).toEqual([
      ['1.2#2', '2ce3', '9563', 'descriptor', 426],
      ['1.1', '80ee', '0021', undefined, 0],
      ['1.2', '138a', '0097', undefined, 0],
      ['1.3', '046d', 'c05a', undefined, 0],
    ]);
    const reader = devices[0]!;
    expect(reader.ccidDescriptor?.summary).toBe('CCID 1.10, short and extended APDU level');
    const tree = reader.ccidDescriptor!.tree;
    expect(find(tree, 'ccid.descriptor.dwFeatures')?.label).toBe('dwFeatures: 0x000404BE (short and extended APDU level)');
    expect(find(tree, 'ccid.descriptor.dwMaxCCIDMessageLength')?.label).toBe('dwMaxCCIDMessageLength: 272 bytes');
    expect(devices.slice(1).every((d) => d.ccidDescriptor === undefined)).toBe(true);
  });

  it('explains file-level problems: a capture cut inside a block', async () => {
    const cut = join(scratch, 'cut.pcapng');
    writeFileSync(cut, readFileSync(sharedPath(...LABCARD)).subarray(0, 20_000));
    const session = await openedFile(cut);
    const status = session.status();
    expect(status.fileProblems).toEqual([
      { code: 'truncated', message: 'file ends inside a block (16 byte(s) of 108)', fileOffset: 19984 },
    ]);
    // The badge counts it with the frame problems.
    expect(status.problems).toBeGreaterThanOrEqual(1);
    const whole = await opened(LABCARD);
    expect(whole.status().fileProblems).toEqual([]);
  });

  it('says why an import failed as a file problem', async () => {
    const text = join(scratch, 'notes.pcapng');
    writeFileSync(text, 'these are my notes, not a capture\n'.repeat(20));
    const session = await openedFile(text);
    const status = session.status();
    expect(status.state).toBe('failed');
    expect(status.fileProblems).toHaveLength(1);
    expect(status.fileProblems[0]!.code).toBe('import-failed');
    expect(status.fileProblems[0]!.message).toContain('not a pcap/pcapng file');
  });

  it('puts the PIN entries in the conversation, in capture order, with the reader’s outcome and duration', async () => {
    const session = await opened(PINPAD);
    expect(session.status().pinOperations).toBe(8);
    const lines = session.transactions(0, 100);
    expect(lines.map((l) => l.kind).join(' ')).toBe('apdu apdu pin pin pin pin pin pin pin pin apdu apdu apdu');
    expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
    const frames = lines.map((l) => l.frame);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    const pins = lines.filter((l) => l.kind === 'pin');
    for (const pin of pins) {
      expect(pin.meaning).toBe('SlotStatus: CMD_NOT_SUPPORTED: command not supported');
      expect(pin.problem).toBe(true);
      expect(pin.durationMs).toBeGreaterThan(0);
      expect(pin.durationMs).toBeLessThan(100);
      // The Secure's row, and the template's data masked.
      expect(session.columns.messageType[pin.row]).toBe(0x69);
      expect(pin.command).toMatch(/^00(20|24)00[0-9A-F]{2}([0-9A-F]{2}(\*\*)*)?$/);
    }
    expect(pins.map((p) => p.name)).toEqual([...Array<string>(7).fill('PIN verify on the keypad'), 'PIN modify on the keypad']);
  });

  it('exports the PIN entries in JSON (pinOperations), redacted field by field on demand', async () => {
    const session = await opened(PINPAD);
    const plain = JSON.parse(exportCapture(session, { format: 'json', redactPins: false }).text) as { pinOperations: unknown[] };
    expect(plain.pinOperations).toHaveLength(8);
    expect(plain.pinOperations[0]).toMatchObject({
      device: '1.2',
      slot: 0,
      operation: 'verify',
      answer: { message: 'RDR_to_PC_SlotStatus', bStatus: 0x40, bError: 0x00 },
    });
    const redacted = JSON.parse(exportCapture(session, { format: 'json', redactPins: true }).text) as {
      pinOperations: { apduTemplate: string | null; answer: unknown; structure: unknown }[];
    };
    expect(redacted.pinOperations).toHaveLength(8);
    for (const [i, p] of redacted.pinOperations.entries()) {
      const original = plain.pinOperations[i] as { apduTemplate: string | null; answer: unknown; structure: unknown };
      if (original.apduTemplate !== null && original.apduTemplate.length > 10) {
        expect(p.apduTemplate).toBe(original.apduTemplate.slice(0, 10) + '*'.repeat(original.apduTemplate.length - 10));
      }
      expect(p.answer).toEqual(original.answer);
      expect(p.structure).toEqual(original.structure);
    }
    // A range holds the PIN entries whose Secure lies in it.
    const secureRow = session.transactions(0, 100).find((l) => l.kind === 'pin')!.row;
    const one = JSON.parse(exportCapture(session, { format: 'json', redactPins: true, range: { start: secureRow, count: 1 } }).text) as {
      pinOperations: { frame: number }[];
    };
    expect(one.pinOperations.map((p) => p.frame)).toEqual([session.columns.frame[secureRow]]);
  });

  it('shows the BER-TLV of an answer one line per TLV', async () => {
    const session = await opened(GCC);
    const answers = session.rows(0, 500, { messageType: 0x80 }).rows.filter((r) => r.sw === '9000');
    const tlvAnswer = answers.map((r) => session.detail(r.row)!).find((d) => find(d.tree, 'iso7816.data.tlv.object'))!;
    const all = ids(tlvAnswer.tree);
    expect(all).not.toContain('iso7816.data.tlv.tag');
    expect(all).not.toContain('iso7816.data.tlv.length');
    expect(all).not.toContain('iso7816.data.tlv.value');
    const fci = find(tlvAnswer.tree, 'iso7816.data.tlv.object')!;
    expect(fci.label).toMatch(/^6F .*\(\d+\)/);
    // A constructed TLV's children are the TLVs inside it.
    expect(fci.children?.every((c) => c.id === 'iso7816.data.tlv.object')).toBe(true);
  });
});

describe('the detail tree of a TPDU-level T=1 reader', () => {
  it('shows the T=1 block under the CCID message, and the APDU under the INF of an unchained I-block', async () => {
    const file = join(scratch, 't1.pcapng');
    writeFileSync(file, t1ReaderCapture());
    const session = await openedFile(file);
    expect(session.status().exchanges).toBe(2);
    const xfr = session.rows(0, 50, { messageType: 0x6f }).rows;
    const data = session.rows(0, 50, { messageType: 0x80 }).rows;

    const getData = session.detail(xfr[0]!.row)!;
    const abData = find(getData.tree, 'ccid.abData')!;
    const block = abData.children!.find((c) => c.id === 'iso7816.t1')!;
    expect(block.children!.map((c) => c.id)).toEqual([
      'iso7816.t1.nad',
      'iso7816.t1.pcb',
      'iso7816.t1.len',
      'iso7816.t1.inf',
      'iso7816.t1.edc',
    ]);
    expect(find([block], 'iso7816.t1.edc')!.label).toBe('LRC: A1 (correct)');
    const command = find([block], 'iso7816.t1.inf')!.children![0]!;
    expect(command.id).toBe('iso7816.command');
    expect(command.offset).toBe(13);
    expect(find([command], 'iso7816.ins')!.label).toBe('INS: CA (GET DATA)');

    // The answer: its BER-TLV, one line per TLV, inside the response inside the block.
    const answer = session.detail(data[1]!.row)!;
    const response = find(answer.tree, 'iso7816.response')!;
    expect(response.length).toBe(GET_DATA_ANSWER.length / 2);
    const tlv = find([response], 'iso7816.data.tlv.object')!;
    expect(tlv.label).toMatch(/^6E .*\(14\)$/);
    expect(tlv.children!.map((c) => c.label)).toEqual([
      expect.stringMatching(/^4F .*\(8\): D2 76 00 01 24 01 03 04$/),
      expect.stringMatching(/^5F52 .*\(1\): 00$/),
    ]);
    expect(tlv.children!.every((c) => c.children === undefined)).toBe(true);

    // The chained SELECT: the first block carries a fragment, the card's R-block, then the rest; no APDU read from a fragment.
    const first = session.detail(xfr[1]!.row)!;
    expect(find(first.tree, 'iso7816.t1.more')!.label).toBe('M: more blocks follow (chaining)');
    expect(find(first.tree, 'iso7816.command')).toBeUndefined();
    expect(find(session.detail(data[2]!.row)!.tree, 'iso7816.t1.nr')!.label).toBe('N(R): 0');
    expect(find(session.detail(xfr[2]!.row)!.tree, 'iso7816.command')).toBeUndefined();
    expect(find(session.detail(data[3]!.row)!.tree, 'iso7816.sw')!.label).toBe('SW: 9000 (Success)');
  });
});

describe('TimingIndex', () => {
  const entries =
    (n: number, at: (i: number) => Partial<TimingEntry> = () => ({})): ((i: number) => TimingEntry) =>
    (i) => ({
      timeMs: i,
      durationMs: 1,
      kind: 'apdu',
      ...at(i),
    });

  it('gives a range with no more entries than columns whole, in time order', () => {
    const index = new TimingIndex(
      10,
      entries(10, (i) => ({ durationMs: i + 1, kind: i === 3 ? 'pin' : 'apdu' })),
    );
    const points = index.points({}, 100);
    expect(points.inRange).toBe(10);
    expect(points.index).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(points.count.every((c) => c === 1)).toBe(true);
    expect(TIMING_KINDS[points.kind[3]!]).toBe('pin');
    expect(points.startMs).toBe(0);
    expect(points.endMs).toBe(19);
    const zoomed = index.points({ fromMs: 2, toMs: 4 }, 100);
    expect(zoomed.index).toEqual([2, 3, 4]);
  });

  it('sums a million entries up per column and kind, keeping the slowest of each', () => {
    const n = 1_000_000;
    const index = new TimingIndex(
      n,
      entries(n, (i) => ({ durationMs: i === 777_777 ? 5000 : (i % 7) + 1, kind: i % 1000 === 0 ? 'apdu-error' : 'apdu' })),
    );
    // Columns of exactly 1000 ms: entry i falls in column ⌊i / 1000⌋.
    const points = index.points({ fromMs: 0, toMs: n }, 1000);
    expect(points.inRange).toBe(n);
    expect(points.timeMs.length).toBeLessThanOrEqual(1000 * TIMING_KINDS.length);
    expect(points.count.reduce((a, b) => a + b, 0)).toBe(n);
    expect(points.index).toContain(777_777);
    expect(points.durationMs[points.index.indexOf(777_777)]).toBe(5000);
    const times = points.timeMs;
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Every error entry is the only one of its kind in its column: all 1000 show.
    expect(points.kind.filter((k) => TIMING_KINDS[k] === 'apdu-error')).toHaveLength(1000);
  });

  it('sorts entries whose start times go back a little (interleaved interfaces)', () => {
    const times = [0, 5, 3, 9];
    const index = new TimingIndex(4, (i) => ({ timeMs: times[i]!, durationMs: 1, kind: 'apdu' }));
    expect(index.points({}, 10).index).toEqual([0, 2, 1, 3]);
  });
});
