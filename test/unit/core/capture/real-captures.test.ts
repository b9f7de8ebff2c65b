/**
 * The real captures in ../shared/captures. Expected numbers were checked independently with
 * tshark 4.0 (packet counts, link types, bulk records per endpoint, bMessageType counts) and
 * against the ground-truth files (libccid's CCID log, usb.expect's 208 APDU exchanges).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCaptureBytes, type CcidFrame, type ParsedCapture } from '#core/capture/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');
const cache = new Map<string, ParsedCapture>();
function load(relative: string, options: Parameters<typeof parseCaptureBytes>[1] = {}): ParsedCapture {
  const key = relative + JSON.stringify(options);
  let parsed = cache.get(key);
  if (!parsed) {
    parsed = parseCaptureBytes(new Uint8Array(readFileSync(sharedPath('captures', relative))), options);
    cache.set(key, parsed);
  }
  return parsed;
}
const text = (relative: string) => readFileSync(sharedPath('captures', relative), 'utf8');
const hexOf = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const bulk = (frames: CcidFrame[], direction: 'in' | 'out') => frames.filter((f) => f.channel === 'bulk' && f.direction === direction);
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};
const typeHex = (f: CcidFrame) => `0x${f.bytes[0]!.toString(16).padStart(2, '0')}`;

const GCC = 'usbpcap-emv-gcc2024/usb.pcapng';
const LABCARD = [
  'usbmon-qemu-labcard/labcard-basic.usbmon.pcap',
  'usbmon-qemu-labcard/labcard-basic.usbmon.pcapng',
  'usbmon-qemu-labcard/labcard-basic.qemu.pcap',
];
const PINPAD = [
  'usbmon-qemu-pinpad/pinpad-labcard.usbmon.pcap',
  'usbmon-qemu-pinpad/pinpad-labcard.usbmon.pcapng',
  'usbmon-qemu-pinpad/pinpad-labcard.qemu.pcap',
];

describe('GCC CTF 2024 USBPcap capture', () => {
  it.skipIf(skip)('reads 7062 USBPcap packets without a problem', () => {
    const c = load(GCC);
    expect(c.format).toBe('pcapng');
    expect(c.frames).toBe(7062);
    expect(c.packets).toHaveLength(7062);
    expect(c.interfaces.map((i) => i.linkType)).toEqual([249]);
    expect(c.problems).toEqual([]);
  });

  it.skipIf(skip)('lists the devices, with the reused address 1.2 as two identities', () => {
    const c = load(GCC);
    expect(c.devices.map((d) => [d.key, d.descriptor?.idVendor, d.descriptor?.idProduct])).toEqual([
      ['1.1', 0x80ee, 0x0021],
      ['1.2', 0x138a, 0x0097],
      ['1.2#2', 0x2ce3, 0x9563],
      ['1.3', 0x046d, 0xc05a],
    ]);
    expect(c.ccidReaders).toHaveLength(1);
    expect(c.ccidReaders[0]).toMatchObject({
      device: '1.2#2',
      detection: 'descriptor',
      bulkOut: 2,
      bulkIn: 3,
      interruptIn: 1,
      maxMessageLength: 272,
    });
    expect(c.ccidReaders[0]!.descriptor).toHaveLength(54);
  });

  it.skipIf(skip)('pairs the bulk transfers of the CCID endpoints (tshark: 213 OUT submits, 231 IN completions)', () => {
    const c = load(GCC);
    const reader = c.transfers.filter((t) => t.device === '1.2#2' && t.type === 'bulk');
    expect(reader.filter((t) => t.direction === 'out')).toHaveLength(213);
    expect(reader.filter((t) => t.direction === 'in')).toHaveLength(231);
    // The HID mouse noise: 6148 interrupt records = 3074 submit/complete pairs.
    expect(c.transfers.filter((t) => t.device === '1.3' && t.type === 'interrupt')).toHaveLength(3074);
  });

  it.skipIf(skip)('rebuilds every CCID message, the 16 DataBlocks split over two transfers included', () => {
    const c = load(GCC);
    const commands = bulk(c.messages, 'out');
    const answers = bulk(c.messages, 'in');
    expect(countBy(commands, typeHex)).toEqual({ '0x61': 2, '0x62': 2, '0x63': 1, '0x6f': 208 });
    // 231 IN transfers = 213 messages + 16 second halves + 2 zero-length packets.
    expect(answers).toHaveLength(213);
    expect(answers.filter((a) => a.frames.length === 2)).toHaveLength(16);
    expect(c.messages.every((m) => m.problems.length === 0)).toBe(true);
    for (const a of answers) expect(a.bytes.length).toBe(a.expectedLength);
  });

  it.skipIf(skip)('yields exactly the 208 APDU exchanges of usb.expect', () => {
    const expected = [...text('usbpcap-emv-gcc2024/usb.expect').matchAll(/^\s*\d+ C: ([0-9A-F ]+)\n\s*R: ([0-9A-F ]+)$/gm)].map((m) => [
      m[1]!.trim(),
      m[2]!.trim(),
    ]);
    expect(expected).toHaveLength(208);
    const c = load(GCC);
    const seen: string[][] = [];
    let command: CcidFrame | undefined;
    for (const m of c.messages) {
      if (m.channel !== 'bulk') continue;
      if (m.direction === 'out') command = m.bytes[0] === 0x6f ? m : undefined;
      else if (command && m.bytes[0] === 0x80 && m.bytes[6] === command.bytes[6]) {
        seen.push([hexOf(command.bytes.subarray(10)), hexOf(m.bytes.subarray(10))]);
        command = undefined;
      }
    }
    expect(seen).toEqual(expected);
  });

  it.skipIf(skip)('finds the same messages without descriptors, by the heuristic', () => {
    const withDescriptors = load(GCC);
    const heuristic = load(GCC, { useDescriptors: false });
    expect(heuristic.ccidReaders).toMatchObject([{ device: '1.2#2', detection: 'heuristic', bulkOut: 2, bulkIn: 3 }]);
    const bulkBytes = (c: ParsedCapture) => c.messages.filter((m) => m.channel === 'bulk').map((m) => hexOf(m.bytes));
    expect(bulkBytes(heuristic)).toEqual(bulkBytes(withDescriptors));
  });

  it.skipIf(skip)('gives the same result when the file is pushed in small odd chunks', () => {
    const whole = load(GCC);
    const chunked = load(GCC, { chunkSize: 997 });
    expect(chunked.messages.map((m) => hexOf(m.bytes))).toEqual(whole.messages.map((m) => hexOf(m.bytes)));
    expect(chunked.packets.map((p) => p.timeNs)).toEqual(whole.packets.map((p) => p.timeNs));
  });
});

describe('QEMU lab card: host-side usbmon (pcap, pcapng) and device-side QEMU pcap', () => {
  /** libccid's COMM log: every CCID message it sent (->) or received (<-). */
  const libccid = () =>
    [...text('usbmon-qemu-labcard/labcard-basic.txt').matchAll(/^(->|<-) 000000 ([0-9A-F ]+?)\s*$/gm)].map((m) => ({
      direction: m[1] === '->' ? 'out' : 'in',
      hex: m[2]!,
    }));

  it.skipIf(skip)('reads the three files (tshark: 253, 253 and 280 packets, link type 220)', () => {
    expect(LABCARD.map((f) => [load(f).frames, load(f).interfaces.map((i) => i.linkType)])).toEqual([
      [253, [220]],
      [253, [220]],
      [280, [220]],
    ]);
    for (const f of LABCARD) expect(load(f).problems).toEqual([]);
  });

  it.skipIf(skip)('finds the 08e6:4433 reader and its CCID endpoints from the enumeration', () => {
    for (const f of LABCARD) {
      const reader = load(f).devices.find((d) => d.descriptor?.idVendor === 0x08e6 && d.descriptor.idProduct === 0x4433);
      expect(reader?.ccidInterfaces[0]).toMatchObject({ bulkOut: 3, bulkIn: 2, interruptIn: 1 });
      expect(load(f).ccidReaders).toMatchObject([{ device: reader!.key, detection: 'descriptor' }]);
    }
  });

  it.skipIf(skip)('counts bulk transfers like tshark (host: 43 + 43; QEMU: 43 OUT, 59 IN packets)', () => {
    const counts = LABCARD.map((f) =>
      countBy(
        load(f).transfers.filter((t) => t.type === 'bulk'),
        (t) => t.direction,
      ),
    );
    expect(counts).toEqual([
      { out: 43, in: 43 },
      { out: 43, in: 43 },
      { out: 43, in: 59 },
    ]);
  });

  it.skipIf(skip)('yields the SAME CCID messages from all three files, matching tshark type counts', () => {
    const sequences = LABCARD.map((f) => load(f).messages.map((m) => `${m.direction} ${m.channel} ${hexOf(m.bytes)}`));
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[2]).toEqual(sequences[0]);
    const messages = load(LABCARD[0]!).messages;
    expect(
      countBy(
        messages.filter((m) => m.channel === 'bulk'),
        typeHex,
      ),
    ).toEqual({ '0x62': 2, '0x65': 7, '0x6b': 1, '0x6f': 33, '0x80': 35, '0x81': 8 });
    expect(messages.filter((m) => m.channel === 'interrupt').map((m) => hexOf(m.bytes))).toEqual(['50 03']);
    for (const f of LABCARD) expect(load(f).messages.flatMap((m) => m.problems)).toEqual([]);
  });

  it.skipIf(skip)("contains libccid's 76 logged messages, byte for byte and in order", () => {
    const logged = libccid();
    expect(logged).toHaveLength(76);
    for (const f of LABCARD) {
      const ours = load(f)
        .messages.filter((m) => m.channel === 'bulk')
        .map((m) => ({ direction: m.direction, hex: hexOf(m.bytes) }));
      let at = 0;
      for (const entry of ours) if (at < logged.length && entry.direction === logged[at]!.direction && entry.hex === logged[at]!.hex) at++;
      expect(at, f).toBe(logged.length);
    }
  });

  it.skipIf(skip)('reassembles device-side 64-byte packets, and skips the ZLP after the 64-byte answer', () => {
    const qemu = load(LABCARD[2]!);
    const answers = bulk(qemu.messages, 'in');
    expect(countBy(answers, (a) => String(a.frames.length))).toEqual({ '1': 38, '2': 1, '3': 1, '5': 3 });
    const sixtyFour = answers.find((a) => a.bytes.length === 64)!;
    expect(hexOf(sixtyFour.bytes.subarray(10, 14))).toBe('30 31 32 33');
    const zlp = qemu.transfers.find((t) => t.direction === 'in' && t.type === 'bulk' && t.originalLength === 0)!;
    expect(zlp.frame).toBe(sixtyFour.lastFrame + 2);
  });
});

describe('QEMU pinpad: PC_to_RDR_Secure messages', () => {
  const secureLines = () => {
    const section = text('usbmon-qemu-pinpad/pinpad-labcard.txt').split('## PC_to_RDR_Secure')[1]!;
    return [...section.matchAll(/^\s+-> (69 [0-9A-F ]+?)\s*$/gm)].map((m) => m[1]!);
  };

  it.skipIf(skip)('yields the 8 Secure messages of the ground truth from all three files', () => {
    const expected = secureLines();
    expect(expected).toHaveLength(8);
    for (const f of PINPAD) {
      const secure = bulk(load(f).messages, 'out').filter((m) => m.bytes[0] === 0x69);
      expect(
        secure.map((m) => hexOf(m.bytes)),
        f,
      ).toEqual(expected);
    }
  });

  it.skipIf(skip)('matches the tshark type counts; the 105-byte Secure spans two QEMU packets', () => {
    for (const f of PINPAD) {
      const c = load(f);
      expect(countBy(bulk(c.messages, 'out'), typeHex)).toEqual({ '0x62': 1, '0x65': 7, '0x69': 8, '0x6b': 2, '0x6f': 5 });
      expect(countBy(bulk(c.messages, 'in'), typeHex)).toEqual({ '0x80': 6, '0x81': 17 });
    }
    const qemu = bulk(load(PINPAD[2]!).messages, 'out');
    expect(qemu.filter((m) => m.frames.length === 2).map((m) => m.bytes.length)).toEqual([105]);
  });
});
