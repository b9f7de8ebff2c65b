/**
 * The OpenPGP card application (spec 3.4), the subset a PIN and status tool needs: GET DATA for the
 * usual data objects, VERIFY PW1 (81: signing, 82: other use) and PW3 (83: admin) with the status form
 * and the reset form (P1 FF), CHANGE REFERENCE DATA. There are no keys: key DOs read as empty.
 */
import { encodeBerTlv, type TlvSpec } from '#core/tlv/ber-tlv.js';
import { SW, dataAnswer, status, triesLeft, type Answer } from './answer.js';
import type { CardCommand } from './card-command.js';
import { PinReference, asciiBytes, pinCheckAnswer } from './pin-reference.js';

/** The RID + PIX prefix every OpenPGP application answers to (SELECT by partial DF name). */
export const OPENPGP_AID_PREFIX = Uint8Array.of(0xd2, 0x76, 0x00, 0x01, 0x24, 0x01);

export const OPENPGP_DEFAULT_PW1 = '123456';
export const OPENPGP_DEFAULT_PW3 = '12345678';
const MAX_TRIES = 3;
const MAX_PIN_LENGTH = 127;
const MAX_CHALLENGE = 256;

export interface OpenPgpOptions {
  pw1?: string;
  pw3?: string;
  /** 4 bytes of serial number in the AID. */
  serial?: number;
  /** Historical bytes as the ATR carries them, repeated in DO 5F52. */
  historicalBytes: Uint8Array;
  /** Only T=1 can carry extended Lc/Le; DO C0 and the ATR say so consistently. */
  extendedLength: boolean;
}

export class OpenPgpApplet {
  readonly aid: Uint8Array;
  readonly #pw1: PinReference;
  readonly #pw3: PinReference;
  /** Volatile access status, per VERIFY reference: 81 and 82 share PW1 but not their verified state. */
  readonly #verified = new Set<number>();
  readonly #historicalBytes: Uint8Array;
  readonly #extendedLength: boolean;

  constructor(options: OpenPgpOptions) {
    this.#pw1 = new PinReference(asciiBytes(options.pw1 ?? OPENPGP_DEFAULT_PW1), {
      label: 'OpenPGP PW1',
      minLength: 6,
      maxLength: MAX_PIN_LENGTH,
      maxTries: MAX_TRIES,
    });
    this.#pw3 = new PinReference(asciiBytes(options.pw3 ?? OPENPGP_DEFAULT_PW3), {
      label: 'OpenPGP PW3',
      minLength: 8,
      maxLength: MAX_PIN_LENGTH,
      maxTries: MAX_TRIES,
    });
    const serial = (options.serial ?? 0x00000001) >>> 0;
    // Version 3.4, manufacturer FFFF (test card), serial, RFU.
    this.aid = Uint8Array.of(
      ...OPENPGP_AID_PREFIX,
      0x03,
      0x04,
      0xff,
      0xff,
      serial >>> 24,
      (serial >> 16) & 0xff,
      (serial >> 8) & 0xff,
      serial & 0xff,
      0x00,
      0x00,
    );
    this.#historicalBytes = options.historicalBytes.slice();
    this.#extendedLength = options.extendedLength;
  }

  /** Selecting (again) or resetting the card clears the access status. */
  deselect(): void {
    this.#verified.clear();
  }

  handle(command: CardCommand): Answer {
    switch (command.ins) {
      case 0xca:
        return this.#getData(command);
      case 0x20:
        return this.#verify(command);
      case 0x24:
        return this.#changeReferenceData(command);
      default:
        return status(SW.INS_NOT_SUPPORTED);
    }
  }

  isVerified(reference: 0x81 | 0x82 | 0x83): boolean {
    return this.#verified.has(reference);
  }

  #pin(reference: number): PinReference | undefined {
    if (reference === 0x81 || reference === 0x82) return this.#pw1;
    if (reference === 0x83) return this.#pw3;
    return undefined;
  }

  #verify(command: CardCommand): Answer {
    const pin = this.#pin(command.p2);
    if (!pin) return status(SW.WRONG_P1P2);
    if (command.p1 === 0xff) {
      // Reset form (3.x): forget this reference's access status.
      if (command.hasData) return status(SW.WRONG_LENGTH);
      this.#verified.delete(command.p2);
      return status(SW.OK);
    }
    if (command.p1 !== 0x00) return status(SW.WRONG_P1P2);
    if (!command.hasData) {
      // Status form: is it verified, else how many tries are left.
      if (this.#verified.has(command.p2)) return status(SW.OK);
      return pin.blocked ? status(SW.AUTHENTICATION_BLOCKED) : triesLeft(pin.triesLeft);
    }
    const result = pin.check(command.data);
    if (result.outcome === 'ok') this.#verified.add(command.p2);
    else this.#verified.delete(command.p2);
    return pinCheckAnswer(result);
  }

  #changeReferenceData(command: CardCommand): Answer {
    if (command.p1 !== 0x00) return status(SW.WRONG_P1P2);
    if (command.p2 !== 0x81 && command.p2 !== 0x83) return status(SW.WRONG_P1P2);
    if (!command.hasData) return status(SW.WRONG_LENGTH);
    const pin = this.#pin(command.p2)!;
    const result = pin.change(command.data);
    if (result.outcome === 'wrong' || result.outcome === 'blocked') {
      for (const reference of command.p2 === 0x81 ? [0x81, 0x82] : [0x83]) this.#verified.delete(reference);
    }
    return pinCheckAnswer(result);
  }

  #getData(command: CardCommand): Answer {
    const tag = (command.p1 << 8) | command.p2;
    const value = this.#dataObject(tag);
    return value ? dataAnswer(value) : status(SW.REFERENCED_DATA_NOT_FOUND);
  }

  /** A DO's bytes as GET DATA returns them: simple DOs bare, constructed ones with their own tag. */
  #dataObject(tag: number): Uint8Array | undefined {
    switch (tag) {
      case 0x004f:
        return this.aid.slice();
      case 0x005e:
      case 0x5f50:
        return new Uint8Array(0);
      case 0x5f52:
        return this.#historicalBytes.slice();
      case 0x0065:
        return encodeBerTlv([this.#cardholderRelatedData()]);
      case 0x006e:
        return encodeBerTlv([this.#applicationRelatedData()]);
      case 0x007a:
        return encodeBerTlv([{ tag: 0x7a, children: [{ tag: 0x93, value: new Uint8Array(3) }] }]);
      case 0x00c4:
        return this.#pwStatusBytes();
      default:
        return undefined;
    }
  }

  #cardholderRelatedData(): TlvSpec {
    return {
      tag: 0x65,
      children: [
        { tag: 0x5b, value: new Uint8Array(0) },
        { tag: 0x5f2d, value: asciiBytes('en') },
        // ISO 5218: 9 = not applicable.
        { tag: 0x5f35, value: asciiBytes('9') },
      ],
    };
  }

  #applicationRelatedData(): TlvSpec {
    const rsa2048 = Uint8Array.of(0x01, 0x08, 0x00, 0x00, 0x20, 0x00);
    return {
      tag: 0x6e,
      children: [
        { tag: 0x4f, value: this.aid },
        { tag: 0x5f52, value: this.#historicalBytes },
        {
          tag: 0x73,
          children: [
            { tag: 0xc0, value: this.#extendedCapabilities() },
            { tag: 0xc1, value: rsa2048 },
            { tag: 0xc2, value: rsa2048 },
            { tag: 0xc3, value: rsa2048 },
            { tag: 0xc4, value: this.#pwStatusBytes() },
            { tag: 0xc5, value: new Uint8Array(60) },
            { tag: 0xc6, value: new Uint8Array(60) },
            { tag: 0xcd, value: new Uint8Array(12) },
            // Key information: no key in any of the three slots.
            { tag: 0xde, value: Uint8Array.of(0x01, 0x00, 0x02, 0x00, 0x03, 0x00) },
          ],
        },
      ],
    };
  }

  /** C0: GET CHALLENGE supported, no SM; max challenge, cardholder certificate, special DO lengths. */
  #extendedCapabilities(): Uint8Array {
    const maxCertificate = this.#extendedLength ? 0x0800 : 0x00ff;
    return Uint8Array.of(
      0x40,
      0x00,
      MAX_CHALLENGE >> 8,
      MAX_CHALLENGE & 0xff,
      maxCertificate >> 8,
      maxCertificate & 0xff,
      0x00,
      0xff,
      0x00,
      0x00,
    );
  }

  /** C4: PW1 valid for several signatures, max lengths of PW1/RC/PW3, then the three retry counters. */
  #pwStatusBytes(): Uint8Array {
    return Uint8Array.of(0x01, MAX_PIN_LENGTH, MAX_PIN_LENGTH, MAX_PIN_LENGTH, this.#pw1.triesLeft, 0x00, this.#pw3.triesLeft);
  }
}

export const OPENPGP_MAX_CHALLENGE = MAX_CHALLENGE;
