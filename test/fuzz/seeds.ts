/**
 * Seed inputs for each fuzz target, taken from the real captures and their ground truth so the
 * mutations start from bytes that reach deep into each parser.
 */
import { readFileSync } from 'node:fs';
import { parseCaptureBytes } from '#core/capture/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { encodeT1Block } from '#core/iso7816/index.js';
import { sharedPath } from '../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth } from '../unit/core/ccid/ground-truth.js';
import { EMV_EXPECT, LABCARD_SECTION, LABCARD_TXT, readExchanges } from '../unit/core/iso7816/ground-truth.js';
import { descriptorFloodCapture, hugeLengthCapture, slotChangeFloodCapture } from '../unit/core/capture/hostile-capture-files.js';
import { exportedPduRecording, spyLog } from '../unit/core/trace/apdu-trace-files.js';
import type { FuzzTarget } from './targets.js';

function craftedCaptures(): Uint8Array[] {
  return [descriptorFloodCapture({ count: 2000 }), hugeLengthCapture(), slotChangeFloodCapture({ messages: 450 })];
}

const CAPTURES = [
  'usbmon-qemu-labcard/labcard-basic.usbmon.pcap',
  'usbmon-qemu-labcard/labcard-basic.usbmon.pcapng',
  'usbmon-qemu-labcard/labcard-basic.qemu.pcap',
  'usbmon-qemu-pinpad/pinpad-labcard.usbmon.pcapng',
  'usbpcap-emv-gcc2024/usb.pcapng',
];

export function loadSeeds(): Record<FuzzTarget['seedKind'], Uint8Array[]> {
  const captures = CAPTURES.map((path) => new Uint8Array(readFileSync(sharedPath('captures', path))));
  const parsed = captures.map((bytes) => parseCaptureBytes(bytes, { keepPackets: false }));
  const exchanges = [...readExchanges(EMV_EXPECT), ...readExchanges(LABCARD_TXT, LABCARD_SECTION)];
  const ccid = parsed.flatMap((p) => p.messages.map((m) => m.bytes));
  const descriptors = parsed.flatMap((p) => p.devices.flatMap((d) => d.ccidInterfaces.map((i) => i.descriptor)));
  const responses = exchanges.map((e) => e.response);
  return {
    // The big GCC capture is cut to its first 64 KiB so an iteration stays fast.
    capture: captures.map((bytes) => bytes.subarray(0, 65536)),
    // The same, plus the crafted files of issue 8 (descriptor floods, 4 GiB lengths, a NotifySlotChange flood), cut alike.
    trace: [...captures, ...craftedCaptures()].map((bytes) => bytes.subarray(0, 65536)),
    recording: [exportedPduRecording()],
    'pcsc-spy': [spyLog('opensc-tool-piv.pcsc-spy'), spyLog('scriptor-openpgp.pcsc-spy')],
    ccid,
    descriptor: descriptors,
    apdu: exchanges.map((e) => e.command),
    response: responses,
    atr: ['3B6500002063CBBC00', '3B0A4C41422D4341524430 31', '3BF81300008131FE15597562696B657934D4'].map(fromHex),
    t1: [
      encodeT1Block({ kind: 'I', ns: 0, more: false, inf: fromHex('00A4040006D27600012401') }),
      encodeT1Block({ kind: 'I', ns: 1, more: true, inf: new Uint8Array(32).fill(0x41) }, 'crc'),
      fromHex('00C101FE3E'),
      fromHex('00E101FE1E'),
      fromHex('00800080'),
    ],
    tlv: responses.filter((r) => r.length > 4).map((r) => r.subarray(0, r.length - 2)),
    pcsc: controlCalls(readGroundTruth(PINPAD_TXT)).flatMap((c) => (c.output ? [c.input, c.output] : [c.input])),
  };
}
