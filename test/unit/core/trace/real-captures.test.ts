/**
 * The trace of the real captures in ../shared/captures against ground truth nobody on the team
 * wrote: usb.expect (208 exchanges incl. 16 split answers), pcscd's --apdu log for labcard
 * (33 exchanges) and pinpad (5), libccid's log of the 8 Secure messages, and tshark's
 * bMessageType counts as printed in the ground-truth files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeTraceBytes, type TraceReport } from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { apduExchanges, PINPAD_TXT, readGroundTruth, secureGroundTruth } from '../ccid/ground-truth.js';
import { EMV_EXPECT, LABCARD_SECTION, LABCARD_TXT, readExchanges } from '../iso7816/ground-truth.js';

const skip = requireShared('captures');
const cache = new Map<string, TraceReport>();
function trace(relative: string, chunkSize?: number): TraceReport {
  const key = `${relative}@${chunkSize ?? 'whole'}`;
  let report = cache.get(key);
  if (!report) {
    const bytes = new Uint8Array(readFileSync(sharedPath('captures', relative)));
    report = decodeTraceBytes(bytes, { file: relative, ...(chunkSize ? { chunkSize } : {}) });
    cache.set(key, report);
  }
  return report;
}

const GCC = 'usbpcap-emv-gcc2024/usb.pcapng';
const LABCARD = ['labcard-basic.usbmon.pcap', 'labcard-basic.usbmon.pcapng', 'labcard-basic.qemu.pcap'].map(
  (f) => `usbmon-qemu-labcard/${f}`,
);
const PINPAD = ['pinpad-labcard.usbmon.pcap', 'pinpad-labcard.usbmon.pcapng', 'pinpad-labcard.qemu.pcap'].map(
  (f) => `usbmon-qemu-pinpad/${f}`,
);

/** CCID type codes → names, for comparing with tshark's numeric counts. */
const TYPE_NAMES: Record<number, string> = {
  0x61: 'PC_to_RDR_SetParameters',
  0x62: 'PC_to_RDR_IccPowerOn',
  0x63: 'PC_to_RDR_IccPowerOff',
  0x65: 'PC_to_RDR_GetSlotStatus',
  0x69: 'PC_to_RDR_Secure',
  0x6b: 'PC_to_RDR_Escape',
  0x6f: 'PC_to_RDR_XfrBlock',
  0x80: 'RDR_to_PC_DataBlock',
  0x81: 'RDR_to_PC_SlotStatus',
  0x82: 'RDR_to_PC_Parameters',
};

/** The "### <file>" block of a "## tshark: CCID bMessageType counts" section: `   7 0x65` lines. */
function tsharkCounts(text: string, file: string): Record<string, number> {
  const block = text.split(`### ${file}\n`)[1]!.split(/\n(?:###|##) /)[0]!;
  const counts: Record<string, number> = {};
  for (const m of block.matchAll(/^\s+(\d+) 0x([0-9a-f]{2})$/gm)) {
    // tshark also counts the tails of messages split over transfers as bogus types; keep real ones.
    const name = TYPE_NAMES[parseInt(m[2]!, 16)];
    if (name) counts[name] = Number(m[1]);
  }
  return counts;
}

function bulkCounts(report: TraceReport): Record<string, number> {
  const out = { ...report.ccid.byType };
  delete out.RDR_to_PC_NotifySlotChange;
  return out;
}

function expectSameExchanges(report: TraceReport, truth: { command: Uint8Array; response: Uint8Array }[]): void {
  expect(report.exchanges).toHaveLength(truth.length);
  truth.forEach((t, i) => {
    const got = report.exchanges[i]!;
    expect({ i, command: got.command, response: got.response }).toEqual({ i, command: toHex(t.command), response: toHex(t.response) });
    expect(got.truncated).toBe(false);
  });
}

describe('GCC CTF 2024 USBPcap capture (usb.expect)', () => {
  it.skipIf(skip)('reproduces the 208 exchanges of usb.expect byte for byte, the 16 split answers whole', () => {
    const report = trace(GCC);
    expectSameExchanges(report, readExchanges(EMV_EXPECT));
    expect(report.exchanges.every((e) => e.device === '1.2#2' && e.slot === 0)).toBe(true);
    expect(report.problems).toEqual([]);
  });

  it.skipIf(skip)('reports the file, the devices with the reader class descriptor, ATRs and message counts', () => {
    const report = trace(GCC);
    expect(report).toMatchObject({ file: GCC, format: 'pcapng', linkTypes: [249], packets: 7062 });
    expect(report.devices.map((d) => [d.id, d.vendorId, d.productId, d.ccid !== null])).toEqual([
      ['1.1', '80ee', '0021', false],
      ['1.2', '138a', '0097', false],
      ['1.2#2', '2ce3', '9563', true],
      ['1.3', '046d', 'c05a', false],
    ]);
    const reader = report.devices[2]!.ccid!;
    expect(reader.dwFeatures).toBe(0x000404be);
    expect(reader.dwMaxCCIDMessageLength).toBe(272);
    expect(report.atrs.map((a) => a.atr)).toEqual(['3B6500002063CBBC00', '3B6500002063CBBC00']);
    // tshark 4.0 (descriptors present): 2 0x61, 2 0x62, 1 0x63, 208 0x6f, 210 0x80, 1 0x81, 2 0x82, plus
    // 16 bogus "types" that are the tails of the split DataBlocks, which we reassemble instead.
    expect(report.ccid).toEqual({
      messages: 426,
      byType: {
        PC_to_RDR_SetParameters: 2,
        PC_to_RDR_IccPowerOn: 2,
        PC_to_RDR_IccPowerOff: 1,
        PC_to_RDR_XfrBlock: 208,
        RDR_to_PC_DataBlock: 210,
        RDR_to_PC_SlotStatus: 1,
        RDR_to_PC_Parameters: 2,
      },
    });
  });

  it.skipIf(skip)('gives frames and durations, and folds 61xx/6Cxx into named transactions', () => {
    const report = trace(GCC);
    const first = report.exchanges[0]!;
    expect(first).toMatchObject({ index: 1, command: '00A404000E315041592E5359532E444446303100', sw: '6122', truncated: false });
    expect(first.responseFrame).toBeGreaterThan(first.commandFrame);
    expect(first.durationMs).toBeGreaterThan(0);
    expect(report.transactions[0]).toMatchObject({ exchanges: [1, 2], name: 'SELECT', sw: '9000', meaning: 'Success', folded: true });
    // 15 commands were re-sent after 6Cxx, and GET RESPONSE follows every 61xx: fewer transactions than exchanges.
    const folded = report.transactions.filter((t) => t.folded).length;
    expect(report.transactions.length + report.transactions.reduce((n, t) => n + t.exchanges.length - 1, 0)).toBe(208);
    expect(folded).toBeGreaterThan(0);
    expect(report.transactions.map((t) => t.exchanges).flat()).toEqual(report.exchanges.map((e) => e.index));
  });

  it.skipIf(skip)('gives the same report whatever the chunk size (records and messages straddling chunks)', () => {
    expect(trace(GCC, 997)).toEqual({ ...trace(GCC), file: GCC });
  });
});

describe('labcard (QEMU CCID, TPDU level, T=0): pcscd --apdu log', () => {
  const truth = skip ? [] : readExchanges(LABCARD_TXT, LABCARD_SECTION);
  const text = skip ? '' : readGroundTruth(['captures', 'usbmon-qemu-labcard', 'labcard-basic.txt']);

  it.skipIf(skip)('the ground truth has 33 exchanges', () => expect(truth).toHaveLength(33));

  for (const file of LABCARD) {
    it.skipIf(skip)(`${file}: the 33 exchanges byte for byte, 2 ATRs, the card insertion`, () => {
      const report = trace(file);
      expectSameExchanges(report, truth);
      expect(report.atrs.map((a) => a.atr)).toEqual(['3B0A4C41422D434152443031', '3B0A4C41422D434152443031']);
      expect(report.events.map((e) => e.kind)).toEqual(['card-inserted']);
      expect(report.devices.find((d) => d.ccid)?.ccid?.features.exchangeLevel).toBe('tpdu');
      expect(report.problems).toEqual([]);
    });
  }

  it.skipIf(skip)('counts bulk messages as tshark does, and the one interrupt NotifySlotChange it does not decode', () => {
    const expected = tsharkCounts(text, 'labcard-basic.usbmon.pcap');
    expect(expected.PC_to_RDR_XfrBlock).toBe(33);
    for (const file of LABCARD) {
      expect(bulkCounts(trace(file))).toEqual(expected);
      expect(trace(file).ccid.byType.RDR_to_PC_NotifySlotChange).toBe(1);
    }
  });
});

describe('pinpad (QEMU CCID, 8 PC_to_RDR_Secure): pinpad-labcard.txt', () => {
  const text = skip ? '' : readGroundTruth(PINPAD_TXT);
  const secure = skip ? [] : secureGroundTruth(text);

  for (const file of PINPAD) {
    it.skipIf(skip)(`${file}: the 5 SCardTransmit exchanges and the 8 Secure messages as pinOperations`, () => {
      const report = trace(file);
      expectSameExchanges(report, apduExchanges(text));
      expect(secure).toHaveLength(8);
      expect(report.pinOperations).toHaveLength(8);
      report.pinOperations.forEach((op, i) => {
        const truth = secure[i]!;
        expect(op.operation).toBe(truth.operation);
        expect(op.apduTemplate).toBe(toHex(truth.apdu));
        expect(op.structure?.bTimeOut).toBe(parseInt(truth.fields.get('bTimeOut')!, 16));
        expect(op.structure?.bmFormatString.raw).toBe(parseInt(truth.fields.get('bmFormatString')!, 16));
        expect(op.structure?.bEntryValidationCondition.raw).toBe(parseInt(truth.fields.get('bEntryValidationCondition')!, 16));
        // QEMU answers every Secure with SlotStatus, bStatus 0x40, bError 0x00 (command not supported).
        expect(op.answer).toMatchObject({ message: 'RDR_to_PC_SlotStatus', bStatus: truth.answer[7], bError: truth.answer[8] });
        expect(op.answer?.meaning).toMatch(/not supported/);
      });
      expect(report.problems).toEqual([]);
    });
  }

  it.skipIf(skip)('counts the Secure messages as PC_to_RDR_Secure, matching tshark for every bulk type', () => {
    const expected = tsharkCounts(text, 'pinpad-labcard.usbmon.pcap');
    expect(expected.PC_to_RDR_Secure).toBe(8);
    for (const file of PINPAD) expect(bulkCounts(trace(file))).toEqual(expected);
  });
});

describe.skipIf(requireShared('captures'))('folding can be left to the caller', () => {
  it('gives the same exchanges and no transactions when foldTransactions is off', () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('captures', 'usbpcap-emv-gcc2024/usb.pcapng')));
    const folded = decodeTraceBytes(bytes, {});
    const unfolded = decodeTraceBytes(bytes, { foldTransactions: false });
    expect(folded.transactions).toHaveLength(191);
    expect(unfolded.transactions).toEqual([]);
    expect(unfolded.exchanges).toEqual(folded.exchanges);
  });
});
