import { fromHex } from '#core/bytes/hex.js';
import { encodePinVerifyStructure } from '#core/pcsc/pin-structures.js';

/**
 * PIN_VERIFY_STRUCTURE for OpenPGP PW1 (81) as GnuPG sends it through a pinpad: ASCII digits
 * appended to the template (bmFormatString 0x82), no fixed PIN block, 6 to 8 digits, the reader's
 * own time-out. The structure the pinpad tests send and the recordings and spy logs carry.
 */
export function openpgpPw1VerifyStructure(): Uint8Array {
  return encodePinVerifyStructure({
    timeOut: 0,
    formatString: 0x82,
    pinBlockString: 0x00,
    pinLengthFormat: 0x00,
    minPinSize: 6,
    maxPinSize: 8,
    apdu: fromHex('00200081'),
  });
}
