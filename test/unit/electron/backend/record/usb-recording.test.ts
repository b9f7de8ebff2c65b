/**
 * A direct-USB session recorded and read back: the direct-USB backend (descriptor walk, claim,
 * endpoint transfers, our CCID driver) over the usb@2-shaped bus of its own tests, whose device is
 * the virtual CCID pinpad reader with the virtual card (only the bus is fake: there is no USB bus
 * on this machine). Exchanges and a keypad PIN entry (CCID Secure) go into the recording; the
 * importer (decodeTraceBytes, what `cardbench decode` runs) gives back exactly the exchanges the
 * backend returned, the ATR and the reader; the PIN is not in the file.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeSecureVerifyData } from '#core/ccid/secure.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { FixedPinKeypad } from '#core/sim/reader/keypad.js';
import { GEMPC_PINPAD_USB_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import { decodeTraceBytes } from '#core/trace/index.js';
import { createUsbReaderBackend } from '../../../../../electron/backend/ccid-usb/usb-reader-backend.js';
import { recordingBackend, RecordingSwitch } from '../../../../../electron/backend/record/recording-backend.js';
import { SessionRecorder } from '../../../../../electron/backend/record/session-recorder.js';
import { nodeTimers } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { fakeUsbBusDevice } from '../ccid-usb/fake-usb-bus.js';

const PIN = '123456';

describe('recording a direct-USB session', () => {
  it('round trip: decode gives back the exchanges, the ATR and the reader; the keypad PIN is nowhere in the file', async () => {
    const device = new VirtualUsbCcidDevice({
      profile: GEMPC_PINPAD_USB_PROFILE,
      keypad: new FixedPinKeypad(PIN),
      cards: [new VirtualSmartCard()],
      timers: nodeTimers,
    });
    const usb = createUsbReaderBackend({
      probe: () => ({ available: true }),
      lib: { getDeviceList: () => [fakeUsbBusDevice(device, { behindOtherInterface: true })] },
    });
    const recording = new RecordingSwitch();
    const chunks: Uint8Array[] = [];
    recording.start(new SessionRecorder({ write: (chunk) => chunks.push(chunk.slice()) }, { pins: 'masked' }));
    const backend = recordingBackend(usb, recording);
    try {
      await backend.settled();
      await expect.poll(() => backend.readers()[0]?.atr ?? null).not.toBeNull();
      const reader = backend.readers()[0]!;
      const sent: { command: string; response: string }[] = [];
      for (const apdu of ['00A4000C022F01', '00B0000010', '00A4040006D27600012401', '00CA006E00', '00200081']) {
        const { response } = await backend.transmit(reader.name, fromHex(apdu));
        sent.push({ command: apdu, response: toHex(response) });
      }
      const template = fromHex('0020008106FFFFFFFFFFFF');
      const abData = encodeSecureVerifyData({
        timeOut: 30,
        formatString: 0x82,
        pinBlockString: 0x06,
        pinLengthFormat: 0x00,
        minPinSize: 6,
        maxPinSize: 8,
        apdu: template,
      });
      const answer = await backend.securePinEntry!(reader.name, { operation: 'verify', abData, template });
      expect(answer).toEqual({ response: fromHex('9000') });
      recording.stop();

      const file = Buffer.concat(chunks);
      const report = decodeTraceBytes(file);
      expect(report.exchanges.map((e) => ({ command: e.command, response: e.response }))).toEqual(sent);
      // The keypad entry is a PIN operation of the report: its template masked, the card's answer.
      expect(report.pinOperations).toHaveLength(1);
      expect(report.pinOperations[0]).toMatchObject({ apduTemplate: '0020008106' + '2A'.repeat(6), answer: { response: '9000' } });
      expect(report.atrs.map((a) => a.atr)).toEqual([reader.atr]);
      expect(report.devices.map((d) => d.id)).toEqual([reader.name]);
      expect(file.includes(Buffer.from(PIN, 'ascii'))).toBe(false);
      expect(file.toString('latin1')).toContain(`reader: ${reader.name}\nbackend: usb`);
    } finally {
      await usb.dispose();
    }
  });
});
