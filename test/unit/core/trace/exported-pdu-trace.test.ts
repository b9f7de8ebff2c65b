/**
 * Exported-PDU recordings (link type 252) read as APDU exchanges, and checked against Wireshark:
 * tshark 4.0 must list the same INS and status words for the file as our decode, so our reading
 * of the format and Wireshark's agree.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { encodeExportedPduTags, formatTraceComment, parseTraceComment, readExportedPduHeader } from '#core/capture/exported-pdu.js';
import { decodeTraceBytes, redactPins, traceSummaryLines, type TraceReport } from '#core/trace/index.js';
import { PIN_VERIFY_HEADER_LENGTH } from '#core/pcsc/index.js';
import { concatBytes, epb, epbWithComment, idb, pcapHeader, pcapRecord, shb } from '../capture/capture-builder.js';
import { exportedPduRecording, RECORDED_ATR, RECORDED_PIN } from './apdu-trace-files.js';
import { openpgpPw1VerifyStructure } from '../../../support/openpgp-pinpad.js';
import { tsharkFields, tsharkUnavailableReason } from '../../../support/tshark.js';

const noTshark = tsharkUnavailableReason();
if (noTshark) console.warn(`[skip] tshark comparison: ${noTshark}`);

const scratch = mkdtempSync(join(tmpdir(), 'cardbench-exported-pdu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('exported-PDU tags', () => {
  it('pad the dissector name to 4 bytes with the padding counted, then direction and end of options', () => {
    expect(Buffer.from(encodeExportedPduTags('iso7816', 1)).toString('hex')).toBe(
      '000c0008' + Buffer.from('iso7816\0').toString('hex') + '0023000400000001' + '00000000',
    );
    const tags = encodeExportedPduTags('iso7816.atr', 1);
    const header = readExportedPduHeader(new DataView(tags.buffer), 0, tags.length);
    expect(header).toEqual({ dissector: 'iso7816.atr', direction: 1, pduOffset: tags.length, problem: undefined });
  });

  it('skip tags they do not know and say where tags run past the packet', () => {
    const unknown = concatBytes(new Uint8Array([0, 20, 0, 4, 1, 2, 3, 4]), encodeExportedPduTags('iso7816', 0), fromHex('00A4'));
    expect(readExportedPduHeader(new DataView(unknown.buffer), 0, unknown.length)).toMatchObject({
      dissector: 'iso7816',
      direction: 0,
      pduOffset: 32,
    });
    const cut = encodeExportedPduTags('iso7816', 0).subarray(0, 10);
    expect(readExportedPduHeader(new DataView(cut.buffer), 0, cut.length).problem).toBe(
      'exported-PDU tag 12 of 8 bytes runs past the packet',
    );
  });

  it('comments are key: value lines; unknown keys and bad values are ignored', () => {
    const text = formatTraceComment({ reader: 'R\nX', atr: '3B00', pins: 'masked', event: 'card connected' });
    expect(text).toBe('reader: R X\natr: 3B00\npins: masked\nevent: card connected');
    expect(parseTraceComment(`${text}\nmasked: VERIFY data (PIN)\npins: maybe\nno colon`)).toEqual({
      reader: 'R X',
      atr: '3B00',
      pins: 'masked',
      event: 'card connected',
    });
    expect(parseTraceComment('atr: not hex')).toEqual({});
  });
});

describe('a recording read as a trace', () => {
  const report = decodeTraceBytes(exportedPduRecording(), { file: 'recording.pcapng' });

  it('pairs each command with the next response of the same interface, names readers from their comment', () => {
    expect(report.format).toBe('pcapng');
    expect(report.linkTypes).toEqual([252]);
    expect(report.packets).toBe(11);
    expect(report.devices).toEqual([
      {
        id: 'Virtual PCD 00 00',
        vendorId: null,
        productId: null,
        ccid: null,
        apduTrace: true,
        backend: 'pcsc',
        protocol: 'T=1',
        pins: 'exact',
      },
      { id: 'interface 1', vendorId: null, productId: null, ccid: null, apduTrace: true },
    ]);
    expect(report.exchanges.map((e) => [e.device, e.command, e.response, e.commandFrame, e.responseFrame, e.timeMs, e.durationMs])).toEqual(
      [
        ['Virtual PCD 00 00', '00A4040006D2760001240100', '9000', 2, 3, 1, 0.5],
        ['interface 1', '00CA006E00', '6E0A4F08D276000124010304 9000'.replace(' ', ''), 4, 6, 2, 1],
        ['Virtual PCD 00 00', `0020008106${RECORDED_PIN}`, '9000', 5, 7, 2.25, 1.25],
        ['Virtual PCD 00 00', '00CA004F00', 'D276000124010304FFFF0000000100009000', 9, 10, 5, 0.75],
      ],
    );
    expect(report.exchanges.every((e) => e.slot === 0 && !e.truncated)).toBe(true);
    expect(report.transactions.map((t) => t.name)).toEqual(['SELECT', 'GET DATA', 'VERIFY', 'GET DATA']);
  });

  it('reports the ATR, card events and the problems the USB path reports', () => {
    expect(report.atrs).toEqual([{ frame: 1, device: 'Virtual PCD 00 00', slot: 0, atr: RECORDED_ATR }]);
    expect(report.events).toEqual([
      { frame: 1, device: 'Virtual PCD 00 00', slot: 0, kind: 'card-inserted' },
      { frame: 11, device: 'Virtual PCD 00 00', slot: 0, kind: 'card-removed' },
    ]);
    expect(report.problems).toEqual([
      {
        frame: 8,
        code: 'missing-response',
        message: 'a new command APDU was sent before the card answered the previous one',
        severity: 'error',
      },
      { frame: 11, code: 'orphan-response', message: 'card answered an APDU not in the capture', severity: 'warning' },
    ]);
    expect(report.complete).toBe(true);
  });

  it('masks the VERIFY PIN with --redact-pins and writes a transcript naming the readers', () => {
    const shown = JSON.stringify(redactPins(report));
    expect(shown).not.toContain(RECORDED_PIN);
    const text = traceSummaryLines(report, { redactPins: true }).join('\n');
    expect(text).toContain('Readers (2, APDU level):\n  Virtual PCD 00 00  (pcsc, T=1, PINs exact in the recording)\n  interface 1');
    expect(text).not.toContain(RECORDED_PIN);
  });

  it('reads the same whatever the chunk size, and from a classic pcap', () => {
    const whole = JSON.stringify(report);
    for (const chunkSize of [1, 7, 64])
      expect(JSON.stringify(decodeTraceBytes(exportedPduRecording(), { file: 'recording.pcapng', chunkSize }))).toBe(whole);
    const pcap = concatBytes(
      pcapHeader(252),
      pcapRecord(1, 0, concatBytes(encodeExportedPduTags('iso7816', 0), fromHex('00B0000004'))),
      pcapRecord(1, 900, concatBytes(encodeExportedPduTags('iso7816', 1), fromHex('010203049000'))),
    );
    const classic = decodeTraceBytes(pcap);
    expect(classic.exchanges.map((e) => [e.device, e.command, e.response, e.durationMs])).toEqual([
      ['interface 0', '00B0000004', '010203049000', 0.9],
    ]);
    expect(classic.problems).toEqual([]);
  });

  it('marks an exchange truncated when the snapshot length cut its packet', () => {
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 252 }),
      epb(0, 1n, concatBytes(encodeExportedPduTags('iso7816', 0), fromHex('00B0000008'))),
      epb(0, 2n, concatBytes(encodeExportedPduTags('iso7816', 1), fromHex('0102')), 28),
    );
    expect(decodeTraceBytes(bytes).exchanges.map((e) => [e.response, e.sw, e.truncated])).toEqual([['0102', '0102', true]]);
  });

  it('skips packets it cannot read with a problem each, never an exception', () => {
    const other = concatBytes(encodeExportedPduTags('ip', 0), fromHex('4500'));
    const noDirection = concatBytes(
      new Uint8Array([0, 12, 0, 8]),
      new TextEncoder().encode('iso7816\0'),
      new Uint8Array(4),
      fromHex('00A4'),
    );
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 252, name: 'if-name reader' }),
      epb(0, 1n, new Uint8Array([0, 12])),
      epb(0, 2n, other),
      epb(0, 3n, other),
      epb(0, 4n, noDirection),
    );
    const read: TraceReport = decodeTraceBytes(bytes);
    expect(read.devices.map((d) => d.id)).toEqual(['if-name reader']);
    expect(read.problems.map((p) => [p.frame, p.code])).toEqual([
      [1, 'bad-exported-pdu'],
      [2, 'unsupported-pdu'],
      [4, 'no-direction'],
    ]);
    expect(read.problems[1]!.message).toBe(
      "if-name reader has exported PDUs for dissector 'ip'; only iso7816 and iso7816.atr are read, the others are skipped",
    );
    expect(read.exchanges).toEqual([]);
  });
});

describe('keypad PIN entries in a recording', () => {
  it('are PIN operations with their structure and outcome, not APDU exchanges, as a CCID Secure is in a USB capture', () => {
    const structure = openpgpPw1VerifyStructure();
    const header = Buffer.from(structure.subarray(0, PIN_VERIFY_HEADER_LENGTH)).toString('hex').toUpperCase();
    const template = structure.subarray(PIN_VERIFY_HEADER_LENGTH);
    // An event noted before the entry comes first in its comment: the entry is still found.
    const comment = [
      'event: card reset',
      'masked: PIN block of the keypad template',
      'event: PIN entry on the reader keypad',
      'request: PC/SC VERIFY_PIN_DIRECT (control code 0x42330006)',
      `structure: ${header}`,
    ].join('\n');
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 252, comment: 'reader: Pinpad 00 00\npins: masked' }),
      epbWithComment(0, 1000n, concatBytes(encodeExportedPduTags('iso7816', 0), template), comment),
      epb(0, 9000n, concatBytes(encodeExportedPduTags('iso7816', 1), fromHex('63C2'))),
    );
    const report = decodeTraceBytes(bytes);
    expect(report.exchanges).toEqual([]);
    expect(report.pinOperations).toEqual([
      {
        frame: 1,
        device: 'Pinpad 00 00',
        slot: 0,
        operation: 'verify (PC/SC VERIFY_PIN_DIRECT (control code 0x42330006))',
        apduTemplate: '00200081',
        structure: expect.objectContaining({ bmFormatString: expect.objectContaining({ raw: 0x82, coding: 'ascii' }), bNumberMessage: 1 }),
        answer: { message: 'Response APDU', bStatus: 0, bError: 0, meaning: expect.stringContaining('2'), response: '63C2', sw: '63C2' },
      },
    ]);
    expect(traceSummaryLines(report).join('\n')).toContain('#1 Pinpad 00 00 slot 0: PIN verify (PC/SC VERIFY_PIN_DIRECT');
  });
});

describe.skipIf(noTshark)('tshark on the same recording', () => {
  it('lists the same INS and status words as our decode, frame by frame, with no Decode As', () => {
    const file = join(scratch, 'recording.pcapng');
    writeFileSync(file, exportedPduRecording());
    const theirs = tsharkFields(file, [
      'frame.number',
      'iso7816.apdu.ins',
      'iso7816.apdu.sw1',
      'iso7816.apdu.sw2',
      'iso7816.atr.init_char',
    ]);
    const report = decodeTraceBytes(exportedPduRecording());
    // Ours, frame by frame: a command's INS, a response's SW1 SW2 (also the unanswered command and the orphan response).
    const ours = new Map<number, string>();
    for (const e of report.exchanges) {
      ours.set(e.commandFrame, `0x${e.command.slice(2, 4).toLowerCase()}`);
      ours.set(e.responseFrame, `0x${e.sw!.slice(0, 2).toLowerCase()} 0x${e.sw!.slice(2).toLowerCase()}`);
    }
    ours.set(8, '0xb0');
    ours.set(11, '0x6a 0x82');
    for (const [frame, ins, sw1, sw2, atrInit] of theirs) {
      if (frame === '1') {
        expect(atrInit, 'tshark reads frame 1 as an ATR').toBe('0x3b');
        continue;
      }
      expect([ins, sw1, sw2].filter(Boolean).join(' '), `frame ${frame}`).toBe(ours.get(Number(frame)));
    }
    expect(theirs).toHaveLength(11);
  });
});
