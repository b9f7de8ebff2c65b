/**
 * Byte equality with the real world: the 8 PC_to_RDR_Secure messages libccid 1.5.2 put on the
 * USB wire in ../shared/captures/usbmon-qemu-pinpad, read from the pcap files themselves (host
 * side usbmon and device side QEMU), against what the wizard builds from the same parameters:
 * (1) decode each wire message, rebuild it from its decoded fields → the same bytes;
 * (2) take the PC/SC structure the application passed to SCardControl (ground truth), express it
 *     as preset `custom` + `--set` settings, build it for the capture's reader (08E6:4433, read
 *     from its device descriptor) → the PC/SC bytes the application sent and the CCID bytes
 *     libccid sent, including its bEntryValidationCondition fix-up.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseCaptureBytes } from '#core/capture/index.js';
import { encodeSecure } from '#core/ccid/encode-message.js';
import { decodeSecureParameters } from '#core/ccid/secure.js';
import { decodePinStructure } from '#core/pcsc/pin-structures.js';
import { pinStructureFields, type PinOperationName, type PinParameters } from '#core/pcsc/pin-format.js';
import { buildPinRequest, type PinParameterSetting } from '#core/pinpad/index.js';
import { parsedSettings } from './parsed-settings.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth, secureGroundTruth } from '../ccid/ground-truth.js';

const DIR = ['captures', 'usbmon-qemu-pinpad'] as const;
const skip = requireShared(...PINPAD_TXT);

/** The settings a user would type to get these parameters from preset custom: every field, as --set text. */
function asSetArguments(operation: PinOperationName, p: PinParameters): PinParameterSetting[] {
  const texts = pinStructureFields('pcsc', operation)
    .filter((s) => s.name !== 'ulDataLength')
    .map((s) => `${s.name}=0x${(p[s.name as keyof PinParameters] as number).toString(16)}`);
  texts.push(`apdu=${toHex(p.apdu)}`);
  return parsedSettings(...texts);
}

function secureMessages(file: string): { bytes: Uint8Array }[] {
  const parsed = parseCaptureBytes(new Uint8Array(readFileSync(sharedPath(...DIR, file))), { keepPackets: false });
  return parsed.messages.filter((m) => m.direction === 'out' && m.bytes[0] === 0x69);
}

function readerOf(file: string): { vendorId: number; productId: number } {
  const parsed = parseCaptureBytes(new Uint8Array(readFileSync(sharedPath(...DIR, file))), { keepPackets: false });
  const d = parsed.devices.find((x) => x.ccidInterfaces.length > 0)!.descriptor!;
  return { vendorId: d.idVendor!, productId: d.idProduct! };
}

describe.skipIf(skip)('PC_to_RDR_Secure on the wire = what the wizard builds', () => {
  const text = skip ? '' : readGroundTruth(PINPAD_TXT);
  const truth = skip ? [] : secureGroundTruth(text);
  const calls = skip ? [] : controlCalls(text);
  // The SCardControl calls that reached the wire, in order (steps 12 and 13 were refused).
  const steps = [6, 7, 8, 9, 10, 11, 14, 15];

  it.each(['pinpad-labcard.usbmon.pcap', 'pinpad-labcard.usbmon.pcapng', 'pinpad-labcard.qemu.pcap'])(
    '%s holds the 8 Secure messages of the ground truth',
    (file) => {
      const wire = secureMessages(file);
      expect(wire.map((m) => toHex(m.bytes))).toEqual(truth.map((t) => toHex(t.message)));
    },
  );

  it('each wire message rebuilt from its own decoded fields is the same bytes', () => {
    for (const m of secureMessages('pinpad-labcard.usbmon.pcap')) {
      const decoded = decodeSecureParameters(m.bytes.subarray(10))!;
      const request = buildPinRequest({
        preset: 'custom',
        operation: decoded.operation,
        settings: asSetArguments(decoded.operation, decoded.parameters),
      });
      expect(toHex(encodeSecure({ slot: m.bytes[5]!, seq: m.bytes[6]!, data: request.ccid.abData! }))).toBe(toHex(m.bytes));
    }
  });

  it("the structures the application passed to SCardControl, built for the capture's reader, give its PC/SC bytes and libccid's wire bytes", () => {
    const reader = readerOf('pinpad-labcard.usbmon.pcap');
    expect(reader).toEqual({ vendorId: 0x08e6, productId: 0x4433 });
    const wire = secureMessages('pinpad-labcard.qemu.pcap');
    steps.forEach((step, i) => {
      const call = calls.find((c) => c.step === step)!;
      const operation: PinOperationName = call.code === 0x42330007 ? 'modify' : 'verify';
      const fromApplication = decodePinStructure(operation, call.input).parameters!;
      const request = buildPinRequest({ preset: 'custom', operation, settings: asSetArguments(operation, fromApplication), reader });
      expect(toHex(request.pcsc.bytes)).toBe(toHex(call.input));
      const sent = request.libccid?.data ?? request.ccid.abData!;
      const message = wire[i]!.bytes;
      expect(toHex(encodeSecure({ slot: 0, seq: message[6]!, data: sent }))).toBe(toHex(message));
    });
  });

  it('(d): libccid rewrote bEntryValidationCondition 00 to 02, and the wizard says so before sending', () => {
    const call = calls.find((c) => c.step === 9)!;
    const p = decodePinStructure('verify', call.input).parameters!;
    const request = buildPinRequest({ preset: 'custom', operation: 'verify', settings: asSetArguments('verify', p) });
    expect(request.ccid.problems.map((x) => x.code)).toContain('entry-validation-fixed');
    expect(request.warnings.map((w) => w.id)).toContain('entry-validation-invalid');
    // abData: bPINOperation, bTimeOut, bmFormatString, bmPINBlockString, bmPINLengthFormat, wPINMaxExtraDigit (2), bEntryValidationCondition
    expect(request.ccid.abData![7]).toBe(0x02);
  });
});
