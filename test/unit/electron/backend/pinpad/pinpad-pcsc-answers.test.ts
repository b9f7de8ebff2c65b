/**
 * PC/SC answers the real rig cannot produce (libccid always returns a status word, and the GemPC
 * driver announces VERIFY/MODIFY_PIN_DIRECT): a driver that reports success with no SW, a
 * SCardControl that fails, a reader with only the START/FINISH pair, a reader with no keypad.
 * The PC/SC backend is the scripted one the Console tests use (same ReaderBackend interface).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CardbenchError } from '#core/ipc/errors.js';
import { getFeatureRequestCode } from '#core/pcsc/control-codes.js';
import { encodeFeatureList } from '#core/pcsc/features.js';
import { FakeReaderBackend } from '../readers/fake-reader-backend.js';
import { startPinpadBackend, type PinpadHarness } from './pinpad-harness.js';

const READER = 'pcsc:Fake Pinpad 00 00';
const VERIFY_CODE = 0x42330006;

/** The scripted backend, with SCardControl of the PIN codes answered by `pinEntry`. */
class PinpadPcsc extends FakeReaderBackend {
  pinEntry: () => Promise<Uint8Array> = () => Promise.resolve(Uint8Array.of(0x90, 0x00));
  override control(reader: string, code: number): Promise<Uint8Array> {
    if (code === VERIFY_CODE) return this.pinEntry();
    return super.control(reader, code);
  }
}

let h: PinpadHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

function pcscPinpad(features: { tag: number; controlCode: number }[]): PinpadPcsc {
  const reader = new PinpadPcsc('pcsc');
  reader.list = [{ name: 'Fake Pinpad 00 00', cardPresent: true, atr: '3B8A8131FE458031C073F4014082900024' }];
  reader.controls.set(getFeatureRequestCode(process.platform === 'win32' ? 'windows' : 'pcsc-lite'), encodeFeatureList(features));
  h = startPinpadBackend(() => [reader]);
  return reader;
}

const run = (preset = 'custom') =>
  h!.api.invoke('pinpad.run', { reader: READER, preset, operation: 'verify', select: false, confirmLastTry: false });

describe('PC/SC answers the rig cannot make', () => {
  it('success with no status word is named: the driver never prompted', async () => {
    const reader = pcscPinpad([{ tag: 0x06, controlCode: VERIFY_CODE }]);
    reader.pinEntry = () => Promise.resolve(new Uint8Array(0));
    const result = await run();
    expect(result).toMatchObject({
      path: 'pcsc-part10',
      ran: true,
      response: '',
      outcome: { kind: 'not-prompted', title: 'Success with no status word' },
    });
  });

  it('a failed SCardControl is explained by its PC/SC code, not by the control code in the message', async () => {
    const reader = pcscPinpad([{ tag: 0x06, controlCode: VERIFY_CODE }]);
    reader.pinEntry = () =>
      Promise.reject(
        new CardbenchError(
          'operation-failed',
          'SCardControl 0x42330006 failed: SCARD_E_NOT_TRANSACTED (0x80100016). The reader could not complete the exchange.',
          'SCardControl error: Transaction failed.(0x80100016)',
        ),
      );
    const result = await run();
    expect(result).toMatchObject({
      ran: true,
      response: null,
      outcome: { kind: 'reader-error', title: 'The reader failed the PIN request', source: 'driver' },
    });
    expect(result.outcome?.detail).toMatch(/SCARD_E_NOT_TRANSACTED \(0x80100016\)/);
  });

  it('the START/FINISH pair only: refused as unavailable, towards the software path', async () => {
    pcscPinpad([
      { tag: 0x01, controlCode: 0x42330001 },
      { tag: 0x02, controlCode: 0x42330002 },
    ]);
    await expect(run()).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/only through START\/FINISH.*software path/),
    });
  });

  it('no keypad at all: the capabilities say it, a run is refused, the software path works', async () => {
    const reader = pcscPinpad([]);
    reader.answers.set('0020008106313233343536', '9000');
    expect((await h!.api.invoke('pinpad.capabilities', { reader: READER })).sentences[0]).toBe(
      'This reader has no keypad: the PIN will be typed here and sent in the APDU.',
    );
    await expect(run()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/cannot verify a PIN on a keypad/) });
    const software = await h!.api.invoke('pinpad.runSoftware', {
      reader: READER,
      preset: 'custom',
      operation: 'verify',
      select: false,
      confirmLastTry: false,
      overrides: { apdu: '00200081', bmPINBlockString: 0 },
      pin: '123456',
    });
    expect(software).toMatchObject({ path: 'software', response: '9000', outcome: { kind: 'accepted' } });
    expect(reader.sent).toEqual(['Fake Pinpad 00 00:0020008106313233343536']);
  });
});
