/**
 * The PIV card application (NIST SP 800-73-4), the subset a PIN and inventory tool needs: SELECT answers
 * the application property template, GET DATA (INS CB, P1P2 3FFF, data 5C <tag>) returns the CHUID, CCC,
 * discovery object and the PIN-protected printed information, VERIFY 80 takes the PIN padded with FF to 8.
 */
import { findTlv, encodeBerTlv, parseBerTlv, type TlvSpec } from '#core/tlv/ber-tlv.js';
import { SW, dataAnswer, status, triesLeft, type Answer } from './answer.js';
import type { CardCommand } from './card-command.js';
import { PinReference, asciiBytes, pinCheckAnswer } from './pin-reference.js';

export const PIV_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08);
const PIV_APPLICATION_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00);
export const PIV_DEFAULT_PIN = '123456';
const PIN_REFERENCE = 0x80;
const PIN_BLOCK_LENGTH = 8;
const MAX_TRIES = 3;

export const PIV_TAG = {
  DISCOVERY: 0x7e,
  CHUID: 0x5fc102,
  CCC: 0x5fc107,
  PRINTED_INFORMATION: 0x5fc109,
} as const;

export interface PivOptions {
  pin?: string;
}

export class PivApplet {
  readonly #pin: PinReference;
  #verified = false;

  constructor(options: PivOptions = {}) {
    const pin = options.pin ?? PIV_DEFAULT_PIN;
    if (!/^[0-9]{6,8}$/.test(pin)) throw new RangeError('the PIV PIN must be 6 to 8 digits (the value given is not shown)');
    this.#pin = new PinReference(padPin(asciiBytes(pin)), {
      label: 'PIV PIN',
      minLength: PIN_BLOCK_LENGTH,
      maxLength: PIN_BLOCK_LENGTH,
      maxTries: MAX_TRIES,
    });
  }

  deselect(): void {
    this.#verified = false;
  }

  /** Application property template: AID, coexistent tag allocation authority, label, algorithms. */
  selectAnswer(): Answer {
    return dataAnswer(
      encodeBerTlv([
        {
          tag: 0x61,
          children: [
            { tag: 0x4f, value: PIV_APPLICATION_AID.subarray(5) },
            { tag: 0x79, children: [{ tag: 0x4f, value: PIV_AID_PREFIX }] },
            { tag: 0x50, value: asciiBytes('Cardbench virtual PIV') },
            {
              tag: 0xac,
              children: [
                { tag: 0x80, value: Uint8Array.of(0x11) },
                { tag: 0x06, value: Uint8Array.of(0x00) },
              ],
            },
          ],
        },
      ]),
    );
  }

  handle(command: CardCommand): Answer {
    switch (command.ins) {
      case 0xcb:
        return this.#getData(command);
      case 0x20:
        return this.#verify(command);
      case 0x24:
        return this.#changeReferenceData(command);
      default:
        return status(SW.INS_NOT_SUPPORTED);
    }
  }

  #verify(command: CardCommand): Answer {
    if (command.p2 !== PIN_REFERENCE) return status(SW.REFERENCED_DATA_NOT_FOUND);
    if (command.p1 === 0xff) {
      if (command.hasData) return status(SW.WRONG_LENGTH);
      this.#verified = false;
      return status(SW.OK);
    }
    if (command.p1 !== 0x00) return status(SW.WRONG_P1P2);
    if (!command.hasData) {
      if (this.#verified) return status(SW.OK);
      return this.#pin.blocked ? status(SW.AUTHENTICATION_BLOCKED) : triesLeft(this.#pin.triesLeft);
    }
    if (command.data.length !== PIN_BLOCK_LENGTH) return status(SW.WRONG_DATA);
    const result = this.#pin.check(command.data);
    this.#verified = result.outcome === 'ok';
    return pinCheckAnswer(result);
  }

  #changeReferenceData(command: CardCommand): Answer {
    if (command.p1 !== 0x00) return status(SW.WRONG_P1P2);
    if (command.p2 !== PIN_REFERENCE) return status(SW.REFERENCED_DATA_NOT_FOUND);
    if (command.data.length !== 2 * PIN_BLOCK_LENGTH) return status(SW.WRONG_DATA);
    if (!isPaddedPin(command.data.subarray(PIN_BLOCK_LENGTH))) {
      // The old value still has to be right for the answer to say only "new PIN refused".
      if (this.#pin.blocked) return status(SW.AUTHENTICATION_BLOCKED);
      const old = this.#pin.check(command.data.subarray(0, PIN_BLOCK_LENGTH));
      return old.outcome === 'ok' ? status(SW.WRONG_DATA) : pinCheckAnswer(old);
    }
    const result = this.#pin.change(command.data);
    if (result.outcome !== 'ok') this.#verified = false;
    return pinCheckAnswer(result);
  }

  #getData(command: CardCommand): Answer {
    if (command.p1 !== 0x3f || command.p2 !== 0xff) return status(SW.WRONG_P1P2);
    const parsed = parseBerTlv(command.data);
    const tagList = findTlv(parsed.objects, 0x5c);
    if (parsed.problems.length > 0 || !tagList || tagList.value.length < 1 || tagList.value.length > 3) {
      return status(SW.WRONG_DATA);
    }
    let tag = 0;
    for (const byte of tagList.value) tag = tag * 256 + byte;
    const object = this.#dataObject(tag);
    if (object === undefined) return status(SW.FILE_NOT_FOUND);
    if (object === 'needs-pin') return status(SW.SECURITY_STATUS_NOT_SATISFIED);
    return dataAnswer(encodeBerTlv([object]));
  }

  #dataObject(tag: number): TlvSpec | 'needs-pin' | undefined {
    switch (tag) {
      case PIV_TAG.DISCOVERY:
        return {
          tag: 0x7e,
          children: [
            { tag: 0x4f, value: PIV_APPLICATION_AID },
            // PIN usage policy: the application PIN satisfies the PIV access control rules.
            { tag: 0x5f2f, value: Uint8Array.of(0x40, 0x00) },
          ],
        };
      case PIV_TAG.CHUID:
        return container([
          { tag: 0x30, value: fascN() },
          {
            tag: 0x34,
            value: Uint8Array.of(0xcb, 0xcb, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
          },
          { tag: 0x35, value: asciiBytes('20301231') },
          { tag: 0x3e, value: new Uint8Array(0) },
          { tag: 0xfe, value: new Uint8Array(0) },
        ]);
      case PIV_TAG.CCC:
        return container([
          { tag: 0xf0, value: Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x16, 0xff, 0x02, ...new Uint8Array(14)) },
          { tag: 0xf1, value: Uint8Array.of(0x21) },
          { tag: 0xf2, value: Uint8Array.of(0x21) },
          { tag: 0xf3, value: new Uint8Array(0) },
          { tag: 0xf4, value: Uint8Array.of(0x00) },
          { tag: 0xf5, value: Uint8Array.of(0x10) },
          { tag: 0xf6, value: new Uint8Array(0) },
          { tag: 0xf7, value: new Uint8Array(0) },
          { tag: 0xfa, value: new Uint8Array(0) },
          { tag: 0xfb, value: new Uint8Array(0) },
          { tag: 0xfc, value: new Uint8Array(0) },
          { tag: 0xfd, value: new Uint8Array(0) },
          { tag: 0xfe, value: new Uint8Array(0) },
        ]);
      case PIV_TAG.PRINTED_INFORMATION:
        if (!this.#verified) return 'needs-pin';
        return container([
          { tag: 0x01, value: asciiBytes('VIRTUAL CARD') },
          { tag: 0x02, value: asciiBytes('TESTING') },
          { tag: 0xfe, value: new Uint8Array(0) },
        ]);
      default:
        return undefined;
    }
  }
}

/** PIV data objects travel inside tag 53. */
function container(children: TlvSpec[]): TlvSpec {
  return { tag: 0x53, children };
}

/** FASC-N of a test card: 25 bytes, agency code 9999 (not a real agency). */
function fascN(): Uint8Array {
  const out = new Uint8Array(25).fill(0x00);
  out.set([
    0xd4, 0xe7, 0x39, 0xda, 0x73, 0x9c, 0xed, 0x39, 0xce, 0x73, 0x9d, 0x83, 0x68, 0x58, 0x21, 0x08, 0x42, 0x10, 0x84, 0x21, 0xc8, 0x42,
    0x10, 0xc3, 0xeb,
  ]);
  return out;
}

export function padPin(pin: Uint8Array): Uint8Array {
  const out = new Uint8Array(PIN_BLOCK_LENGTH).fill(0xff);
  out.set(pin.subarray(0, PIN_BLOCK_LENGTH));
  return out;
}

/** 6 to 8 ASCII digits, then FF up to 8 bytes. */
function isPaddedPin(block: Uint8Array): boolean {
  let digits = 0;
  while (digits < block.length && block[digits]! >= 0x30 && block[digits]! <= 0x39) digits++;
  for (let i = digits; i < block.length; i++) if (block[i] !== 0xff) return false;
  return digits >= 6;
}
