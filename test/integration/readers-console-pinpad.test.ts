/**
 * The Readers workbench's inspection and the Console through the reader hub, on the virtual
 * pinpad reader behind a real pcscd and libccid's GemPC serial driver (libccidtwin): the part 10
 * features and properties libccid reports for it, T=1 chaining done by libccid, a keypad PIN
 * verification through the hub's control channel, and `cardbench inspect` as a user runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { ReaderInspection } from '#core/console/reader-inspection.js';
import type { Api } from '#core/ipc/contract.js';
import { createPcscReaderBackend } from '../../electron/backend/readers/pcsc-reader-backend.js';
import { ReaderHub } from '../../electron/backend/readers/reader-hub.js';
import { pcscdRigUnavailableReason } from '../rigs/pcscd-rig.js';
import { PINPAD_READER_ID, startPinpadBackendRig, type PinpadBackendRig } from '../rigs/pinpad-backend-rig.js';
import { PINPAD_PCSC_NAME, type PinpadRig } from '../rigs/pinpad-reader-rig.js';

// These tests are about PC/SC: the CLI processes they start leave the built-in virtual reader out.
process.env.CARDBENCH_NO_VIRTUAL = '1';
import { runCardbench } from '../rigs/cli-process.js';
import { openpgpPw1VerifyStructure } from '../support/openpgp-pinpad.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

const PINPAD = PINPAD_READER_ID;

const cli = runCardbench;

describe.skipIf(skipReason)('Readers and Console on the virtual pinpad reader (pcscd + libccidtwin)', () => {
  let setup: PinpadBackendRig | undefined;
  let rig: PinpadRig;
  let api: Api;

  beforeAll(async () => {
    setup = await startPinpadBackendRig({ card: 't1', keypadScript: ['123456'] });
    ({ rig, api } = setup);
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('inspect: features 06/07/0A/12 with libccid control codes, TLV and PIN properties, ATR decoded, max APDU', async () => {
    const inspection = await api.invoke('readers.inspect', { reader: PINPAD_PCSC_NAME });
    expect(inspection.features).toMatchObject({
      VERIFY_PIN_DIRECT: '42330006',
      MODIFY_PIN_DIRECT: '42330007',
      IFD_PIN_PROPERTIES: '4233000A',
      GET_TLV_PROPERTIES: '42330012',
    });
    expect(inspection.tlvProperties).toMatchObject({
      bMinPINSize: expect.any(Number),
      bMaxPINSize: expect.any(Number),
      wIdVendor: expect.any(Number),
    });
    expect(inspection.pinProperties).toMatchObject({ bEntryValidationCondition: expect.any(Number) });
    expect(inspection.pinpad).toMatchObject({ verify: true, modify: true });
    expect(inspection.atr?.hex).toBe('3B8A8131FE458031C073F40140829000' + '24');
    expect(inspection.atr?.protocols).toContain('T=1');
    expect(inspection.atr?.tck).toEqual({ required: true, present: true, valid: true });
    expect(inspection.maxApdu).toBeGreaterThan(0);
  });

  it('`cardbench inspect READER --json` gives the same facts, and the text form names them', async () => {
    const json = await cli(['inspect', 'Virtual Pinpad', '--json']);
    expect(json.code).toBe(0);
    const inspection = JSON.parse(json.stdout) as ReaderInspection;
    expect(Object.keys(inspection.features)).toEqual(
      expect.arrayContaining(['VERIFY_PIN_DIRECT', 'MODIFY_PIN_DIRECT', 'IFD_PIN_PROPERTIES', 'GET_TLV_PROPERTIES']),
    );
    expect(inspection.tlvProperties?.wIdVendor).toBe((await api.invoke('readers.inspect', { reader: PINPAD })).tlvProperties?.wIdVendor);
    const text = await cli(['inspect', PINPAD_PCSC_NAME]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/VERIFY_PIN_DIRECT\s+42330006/);
    expect(text.stdout).toMatch(/Pinpad: verify \+ modify/);
  });

  it('transmits through libccid T=1 chaining: UPDATE BINARY of 300 bytes, then READ BINARY extended', async () => {
    const data = toHex(Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
    expect((await api.invoke('card.transmit', { reader: PINPAD, apdu: '00A4000C022F01' })).exchanges[0]!.sw).toBe('9000');
    expect((await api.invoke('card.transmit', { reader: PINPAD, apdu: `00D60000 00012C ${data}` })).exchanges[0]!.sw).toBe('9000');
    const read = await api.invoke('card.transmit', { reader: PINPAD, apdu: '00B0000000012C' });
    expect(read.protocol).toBe('T=1');
    expect(read.exchanges[0]!.data).toBe(data);
  });

  it('VERIFY_PIN_DIRECT through the hub control channel: keypad PIN accepted, no PIN byte anywhere', async () => {
    const hub = new ReaderHub([createPcscReaderBackend(200)]);
    try {
      await hub.settled();
      await hub.transmit(PINPAD_PCSC_NAME, fromHex('00A4040006D27600012401'));
      const verify = openpgpPw1VerifyStructure();
      expect(toHex(await hub.control(PINPAD, 0x42330006, verify))).toBe('9000');
    } finally {
      await hub.dispose();
    }
    expect(rig.reader.output()).not.toMatch(/123456|313233343536/);
  });
});
