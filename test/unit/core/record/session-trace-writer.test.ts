/**
 * The recording format against the pcapng specification (blocks walked here by a reader written
 * for the test) and against Wireshark itself (tshark 4.0): link type 252 files that tshark
 * decodes as ISO 7816 with no "Decode As", commands and responses in order, the ATR as an ATR,
 * comments where the brief puts them, and PINs absent from the bytes when masked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeExportedPduTags as exportedPduHeader } from '#core/capture/exported-pdu.js';
import { SessionTraceWriter, type PinRecording } from '#core/record/session-trace-writer.js';
import { decodeTraceBytes, traceSummaryLines } from '#core/trace/index.js';
import { tsharkApduColumns, tsharkFields, tsharkInfo, tsharkUnavailableReason } from '../../../support/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'cardbench-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noTshark = tsharkUnavailableReason();
if (noTshark) console.warn(`[skip] tshark checks of recordings: ${noTshark}`);

interface Block {
  type: number;
  body: DataView;
  bytes: Uint8Array;
}

/** Walks the blocks of a little-endian pcapng file, checking each one's framing. */
function blocks(file: Uint8Array): Block[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  let at = 0;
  while (at < file.length) {
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    expect(length % 4, `block at ${at}`).toBe(0);
    expect(view.getUint32(at + length - 4, true), `trailing length of block at ${at}`).toBe(length);
    out.push({
      type,
      body: new DataView(file.buffer, file.byteOffset + at + 8, length - 12),
      bytes: file.subarray(at + 8, at + length - 4),
    });
    at += length;
  }
  expect(at).toBe(file.length);
  return out;
}

/** Options from `from` to opt_endofopt: code → values as text. */
function options(block: Block, from: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let at = from;
  // No options at all is allowed (no opt_endofopt either).
  while (at < block.body.byteLength) {
    const code = block.body.getUint16(at, true);
    const length = block.body.getUint16(at + 2, true);
    if (code === 0) break;
    const value = new TextDecoder().decode(block.bytes.subarray(at + 4, at + 4 + length));
    out.set(code, [...(out.get(code) ?? []), value]);
    at += 4 + ((length + 3) & ~3);
  }
  return out;
}

const ATR = fromHex('3B8A8131FE458031C073F4014082900024');
const SELECT = fromHex('00A4040006D27600012401');
const VERIFY_ASCII = fromHex('0020008106313233343536');
const PIN_DIGITS_ASCII = fromHex('313233343536');

/** A session in memory: the chunks the sink received, and the file they make. */
function record(pins: PinRecording, write: (writer: SessionTraceWriter) => void): { file: Uint8Array; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  const writer = new SessionTraceWriter((chunk) => chunks.push(chunk.slice()), { pins, application: 'Cardbench test' });
  write(writer);
  const file = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return { file, chunks };
}

function save(name: string, file: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, file);
  return path;
}

const T0 = 1_764_676_800_000_000n;

function typicalSession(writer: SessionTraceWriter): void {
  const reader = writer.interfaceOf({ reader: 'Cardbench Virtual Pinpad', backend: 'virtual', protocol: 'any' });
  writer.cardConnected(reader, ATR, T0);
  writer.command(reader, SELECT, T0 + 100n);
  writer.response(reader, fromHex('9000'), T0 + 1_100n, ['protocol: T=1']);
  writer.command(reader, VERIFY_ASCII, T0 + 2_000n);
  writer.response(reader, fromHex('63C2'), T0 + 2_900n);
  writer.note(reader, 'event: card removed');
  writer.cardConnected(reader, ATR, T0 + 5_000_000n);
  writer.command(reader, fromHex('00CA006E00'), T0 + 5_000_200n);
  writer.response(reader, fromHex('6E0A4F08D2760001240103049000'), T0 + 5_001_000n);
}

describe('exported-PDU tags', () => {
  it('dissector name padded to 4 bytes with the padding in its length, P2P direction as 4 bytes big-endian, end tag', () => {
    expect(toHex(exportedPduHeader('iso7816', 0))).toBe('000C0008' + '69736F3738313600' + '00230004' + '00000000' + '00000000');
    expect(toHex(exportedPduHeader('iso7816.atr', 1))).toBe('000C000C' + '69736F373831362E61747200' + '00230004' + '00000001' + '00000000');
  });
});

describe('SessionTraceWriter blocks', () => {
  it('writes a section header, one interface per reader (link type 252, snaplen 0, comment, microseconds) and one packet per PDU', () => {
    const { file } = record('masked', (writer) => {
      typicalSession(writer);
      const other = writer.interfaceOf({ reader: 'Virtual PCD 00 00', backend: 'pcsc', protocol: 't1' });
      writer.command(other, SELECT, T0 + 6_000_000n);
      // The same reader again is the same interface: no second description.
      expect(writer.interfaceOf({ reader: 'Cardbench Virtual Pinpad', backend: 'virtual', protocol: 'any' })).toBe(0);
      expect(other).toBe(1);
      expect(writer.packets).toBe(9);
    });
    const all = blocks(file);
    expect(all.map((b) => b.type.toString(16))).toEqual(['a0d0d0a', '1', ...Array(8).fill('6'), '1', '6']);
    const [shb, idb] = all;
    expect(shb!.body.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect(options(shb!, 16).get(4)).toEqual(['Cardbench test']);
    expect(idb!.body.getUint16(0, true)).toBe(252);
    expect(idb!.body.getUint32(4, true)).toBe(0);
    const idbOptions = options(idb!, 8);
    expect(idbOptions.get(2)).toEqual(['Cardbench Virtual Pinpad']);
    expect(idbOptions.get(1)).toEqual(['reader: Cardbench Virtual Pinpad\nbackend: virtual\nprotocol: any\npins: masked']);
    expect(idbOptions.get(9)).toEqual(['\u0006']);
    const second = all[10]!;
    expect(options(second, 8).get(1)).toEqual(['reader: Virtual PCD 00 00\nbackend: pcsc\nprotocol: t1\npins: masked']);
    // Timestamps: microseconds split high/low.
    const firstPacket = all[2]!;
    const ts = (BigInt(firstPacket.body.getUint32(4, true)) << 32n) | BigInt(firstPacket.body.getUint32(8, true));
    expect(ts).toBe(T0);
    expect(firstPacket.body.getUint32(12, true)).toBe(exportedPduHeader('iso7816.atr', 1).length + ATR.length);
  });

  it('hands the sink whole blocks, so the file is valid after every packet', () => {
    const { chunks } = record('masked', typicalSession);
    let prefix = new Uint8Array(0);
    for (const chunk of chunks) {
      const next = new Uint8Array(prefix.length + chunk.length);
      next.set(prefix);
      next.set(chunk, prefix.length);
      prefix = next;
      expect(() => blocks(prefix)).not.toThrow();
    }
  });

  it('puts events in packet comments: card connected with its ATR, a pending event on the next packet, the protocol on the answer', () => {
    const { file } = record('masked', typicalSession);
    const packets = blocks(file).filter((b) => b.type === 6);
    const commentOf = (i: number): string[] | undefined => {
      const p = packets[i]!;
      return options(p, 20 + ((p.body.getUint32(12, true) + 3) & ~3)).get(1);
    };
    expect(commentOf(0)).toEqual([`event: card connected\natr: ${toHex(ATR)}`]);
    expect(commentOf(2)).toEqual(['protocol: T=1']);
    expect(commentOf(3)).toEqual(['masked: VERIFY data (PIN)']);
    expect(commentOf(5)).toEqual([`event: card connected\natr: ${toHex(ATR)}\nevent: card removed`]);
    expect(commentOf(6)).toBeUndefined();
  });

  it('a keypad entry right after an event is still read back as a PIN operation (its own event line comes first)', () => {
    const { file } = record('masked', (writer) => {
      const reader = writer.interfaceOf({ reader: 'R', backend: 'virtual', protocol: 'any' });
      writer.pinEntry(reader, fromHex('00200081'), T0, [
        'event: PIN entry on the reader keypad',
        'request: CCID PC_to_RDR_Secure (verify)',
      ]);
      writer.note(reader, 'event: PIN entry ended by the reader (bError 0xEF)');
      writer.pinEntry(reader, fromHex('00200081'), T0 + 1n, [
        'event: PIN entry on the reader keypad',
        'request: CCID PC_to_RDR_Secure (verify)',
      ]);
      writer.response(reader, fromHex('9000'), T0 + 2n);
      writer.command(reader, SELECT, T0 + 3n);
      writer.response(reader, fromHex('9000'), T0 + 4n);
    });
    const report = decodeTraceBytes(file);
    expect(report.pinOperations).toHaveLength(2);
    expect(report.exchanges.map((e) => e.command)).toEqual([toHex(SELECT)]);
  });

  it('property: every PDU comes back out of its packet after the tags, byte for byte, in order', () => {
    const apdu = fc.uint8Array({ minLength: 4, maxLength: 300 }).filter((a) => a[1] !== 0x20 && a[1] !== 0x21 && a[1]! < 0x24);
    fc.assert(
      fc.property(fc.array(fc.tuple(apdu, fc.uint8Array({ minLength: 2, maxLength: 300 })), { maxLength: 20 }), (exchanges) => {
        const { file } = record('masked', (writer) => {
          const reader = writer.interfaceOf({ reader: 'R', backend: 'pcsc', protocol: 'any' });
          exchanges.forEach(([command, response], i) => {
            writer.command(reader, command, BigInt(2 * i));
            writer.response(reader, response, BigInt(2 * i + 1));
          });
        });
        const payloads = blocks(file)
          .filter((b) => b.type === 6)
          .map((b) => b.bytes.subarray(20 + 24, 20 + b.body.getUint32(12, true)));
        expect(payloads.map((p) => toHex(p))).toEqual(exchanges.flatMap(([c, r]) => [toHex(c), toHex(r)]));
      }),
    );
  });
});

describe('PIN masking', () => {
  const BCD = fromHex('002000820412345600');
  const FORMAT2 = fromHex('0020008108261234 56FFFFFFFFFF'.replace(/ /g, ''));
  const CHANGE = fromHex('002400810C313233343536393837363534');
  const RESET = fromHex('002C0081 0E 3838383838383838 363534333231'.replace(/ /g, ''));
  const TEMPLATE = fromHex('0020008108' + '2F' + 'FFFFFFFFFFFFFF');
  const secrets = [PIN_DIGITS_ASCII, fromHex('123456'), fromHex('261234'), fromHex('393837363534'), fromHex('3838383838383838')];

  function pinSession(writer: SessionTraceWriter): void {
    const reader = writer.interfaceOf({ reader: 'Cardbench Virtual Pinpad', backend: 'virtual', protocol: 'any' });
    for (const [i, command] of [VERIFY_ASCII, BCD, FORMAT2, CHANGE, RESET].entries()) {
      writer.command(reader, command, T0 + BigInt(i));
      writer.response(reader, fromHex('9000'), T0 + BigInt(i));
    }
    writer.pinEntry(reader, TEMPLATE, T0 + 10n, ['request: CCID PC_to_RDR_Secure (verify)']);
    writer.response(reader, fromHex('9000'), T0 + 11n);
  }

  function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
    outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
      for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
      return true;
    }
    return false;
  }

  it('masked: no PIN in ASCII, BCD or format-2 form, nor a PUK, anywhere in the file; lengths kept', () => {
    const { file } = record('masked', pinSession);
    for (const secret of secrets) expect(contains(file, secret), toHex(secret)).toBe(false);
    expect(contains(file, fromHex('0020008106' + '2A2A2A2A2A2A'))).toBe(true);
    expect(contains(file, fromHex('0020008108' + '2A'.repeat(8)))).toBe(true);
  });

  it('exact: every PIN is there as sent, and the interface says pins: exact', () => {
    const { file } = record('exact', pinSession);
    for (const secret of secrets) expect(contains(file, secret), toHex(secret)).toBe(true);
    expect(contains(file, TEMPLATE)).toBe(true);
    expect(new TextDecoder().decode(file)).toContain('pins: exact');
  });
});

describe.skipIf(noTshark)('tshark 4.0 reads the recordings', () => {
  it('lists the same INS and status words the session sent, with Select file and its response, no Decode As', () => {
    const path = save('typical.pcapng', record('masked', typicalSession).file);
    expect(tsharkApduColumns(path)).toEqual(['0xa4', '0x90 0x00', '0x20', '0x63 0xc2', '0xca', '0x90 0x00']);
    const info = tsharkInfo(path);
    expect(info[1]).toBe('Select file');
    expect(info[2]).toBe('Response APDU (to Select file)');
    expect(info[0]).toMatch(/^ATR/);
    expect(tsharkFields(path, ['iso7816.atr.t0'], 'iso7816.atr').map((r) => r[0])).toEqual(['0x8a', '0x8a']);
    expect(tsharkFields(path, ['frame.comment'], 'frame.number == 1')[0]![0]).toContain('event: card connected');
  });

  it('a masked VERIFY is still a Verify with its length, and the PIN entry template a Verify too', () => {
    const path = save(
      'pins.pcapng',
      record('masked', (writer) => {
        const reader = writer.interfaceOf({ reader: 'R', backend: 'usb', protocol: 'any' });
        writer.command(reader, VERIFY_ASCII, T0);
        writer.response(reader, fromHex('9000'), T0 + 1n);
        writer.pinEntry(reader, fromHex('00200081082F2A2A2A2A2A2A2A'), T0 + 2n, []);
        writer.response(reader, fromHex('63C1'), T0 + 3n);
      }).file,
    );
    expect(tsharkInfo(path)).toEqual(['Verify', 'Response APDU (to Verify)', 'Verify', 'Response APDU (to Verify)']);
    expect(tsharkFields(path, ['iso7816.apdu.body'], 'frame.number == 1')[0]![0]).toBe('2a2a2a2a2a2a');
  });
});

describe('the file on disk', () => {
  it('is what the sink received', () => {
    const { file } = record('masked', typicalSession);
    expect(readFileSync(save('disk.pcapng', file))).toEqual(Buffer.from(file));
  });
});

describe('the transcript of a recording says who masked its PINs', () => {
  it('masked when recorded: "masked by the recorder"; exact: "shown as captured"', () => {
    const masked = traceSummaryLines(decodeTraceBytes(record('masked', typicalSession).file)).join('\n');
    expect(masked).toMatch(/^PIN data: 1 command carries secret data, masked by the recorder \(the file holds no PIN\)$/m);
    const exact = traceSummaryLines(decodeTraceBytes(record('exact', typicalSession).file)).join('\n');
    expect(exact).toMatch(/^PIN data: 1 command carries secret data, shown as captured \(mask it with --redact-pins\)$/m);
  });
});
