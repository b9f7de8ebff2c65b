import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { apduSizeWarning, grouped } from '#core/console/apdu-size.js';

const VIRTUAL_PINPAD = { maxApdu: 261, maxApduSource: 'dwMaxCCIDMessageLength − 10 (CCID descriptor)' };

describe('apduSizeWarning', () => {
  it('warns when the data field is longer than the inspection says the reader takes, in numbers a person reads', () => {
    // Extended Lc 88B3: 34,995 data bytes, 35,002 in all with Le 0000.
    const apdu = fromHex(`00DA00FF0088B3${'AB'.repeat(34_995)}0000`);
    const warning = apduSizeWarning(apdu, VIRTUAL_PINPAD);
    expect(warning).toMatchObject({ length: 35_004, dataLength: 34_995, limit: 261 });
    expect(warning!.sentence).toBe(
      "This APDU is 35,004 bytes with 34,995 bytes of data; the reader's inventory says Max APDU data 261 bytes " +
        '(dwMaxCCIDMessageLength − 10 (CCID descriptor)). The reader may refuse it, or the card may not get all of it.',
    );
  });

  it('says nothing at the limit, for an unknown limit, or for what is not an APDU yet', () => {
    expect(apduSizeWarning(fromHex(`00DA00FF000105${'00'.repeat(261)}`), VIRTUAL_PINPAD)).toBeUndefined();
    expect(apduSizeWarning(fromHex(`00DA00FF000106${'00'.repeat(262)}`), VIRTUAL_PINPAD)?.dataLength).toBe(262);
    expect(apduSizeWarning(fromHex(`00DA00FF0088B3${'AB'.repeat(34_995)}`), { maxApdu: null, maxApduSource: null })).toBeUndefined();
    expect(apduSizeWarning(fromHex(`00DA00FF0088B3${'AB'.repeat(34_995)}`), undefined)).toBeUndefined();
    expect(apduSizeWarning(fromHex('00A4'), VIRTUAL_PINPAD)).toBeUndefined();
  });

  it('groups thousands the same everywhere', () => {
    expect([grouped(7), grouped(261), grouped(35_002), grouped(1_048_576)]).toEqual(['7', '261', '35,002', '1,048,576']);
  });
});
