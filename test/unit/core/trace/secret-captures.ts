/**
 * Hand-built usbmon captures (no descriptors: the reader is found from traffic) that carry a
 * known PIN, 123456, in every form a card sees it, through every secret-carrying command of
 * core/iso7816/secret-commands.ts, at APDU level and over T=1 (chained, retransmitted, left
 * unanswered). And the checks that a rendering shows none of it.
 */
import { expect } from 'vitest';
import { encodeDataBlock, encodeIccPowerOn, encodeParameters, encodeSetParameters, encodeXfrBlock } from '#core/ccid/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { encodeT1Block } from '#core/iso7816/index.js';
import { pcapngOf, usbmonCcidPipes } from '../capture/capture-builder.js';

/** "123456" as a card sees it: ASCII (OpenPGP, PIV), BCD, ISO 9564 format 2 PIN block. */
export const PIN_FORMS = ['313233343536', '123456', '26123456FFFFFFFF'] as const;
/** The new PIN of CHANGE REFERENCE DATA, "654321", ASCII. */
export const NEW_PIN = '363534333231';
/** A management key / private key fragment: must never show either. */
export const KEY_BYTES = 'C0FFEE31C0FFEE32C0FFEE33C0FFEE34C0FFEE35C0FFEE36';
const SECRETS = [...PIN_FORMS, NEW_PIN, KEY_BYTES];

/** Every string value in a JSON-like value, with its path. */
export function stringsOf(value: unknown, path = '$', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => stringsOf(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringsOf(v, `${path}.${k}`, out);
  return out;
}

/** The secret forms a text holds, read with spaces, colons and line breaks removed, any case. */
export function secretsIn(text: string, secrets: readonly string[] = SECRETS): string[] {
  const compact = text.replace(/[\s:]+/g, '').toUpperCase();
  return secrets.filter((secret) => compact.includes(secret));
}

/** Asserts that no string field of a JSON value holds a secret form; names the fields that do. */
export function expectNoSecretField(value: unknown, secrets: readonly string[] = SECRETS): void {
  const leaks = stringsOf(value)
    .map(([path, text]) => [path, secretsIn(text, secrets)] as const)
    .filter(([, found]) => found.length > 0)
    .map(([path, found]) => `${path}: ${found.join(', ')}`);
  expect(leaks).toEqual([]);
}

const { out, inn } = usbmonCcidPipes(0x9000n);

const ok = { slot: 0, iccStatus: 0, commandStatus: 0, bError: 0 };
/** T=0 only (no TD1): the reader level is unknown, abData read as APDUs. */
const ATR_T0 = fromHex('3B0A4C41422D434152443031');

class Conversation {
  private seq = 0;
  readonly records: Uint8Array[][] = [];

  powerOn(): this {
    const seq = this.seq++ & 0xff;
    this.records.push(out(encodeIccPowerOn({ slot: 0, seq })), inn(encodeDataBlock({ ...ok, seq, data: ATR_T0 })));
    return this;
  }

  xfr(command: Uint8Array, answer: Uint8Array | undefined, chain: { levelParameter?: number; chainParameter?: number } = {}): this {
    const seq = this.seq++ & 0xff;
    this.records.push(out(encodeXfrBlock({ slot: 0, seq, data: command, levelParameter: chain.levelParameter ?? 0 })));
    if (answer) this.records.push(inn(encodeDataBlock({ ...ok, seq, data: answer, chainParameter: chain.chainParameter ?? 0 })));
    return this;
  }

  apdu(command: string, response: string): this {
    return this.xfr(fromHex(command), fromHex(response));
  }

  t1(): this {
    const params = fromHex('1100100F00FE00');
    const seq = this.seq++ & 0xff;
    this.records.push(
      out(encodeSetParameters({ slot: 0, seq, protocolNum: 1, protocolData: params })),
      inn(encodeParameters({ ...ok, seq, protocolNum: 1, protocolData: params })),
    );
    return this;
  }

  bytes(): Uint8Array {
    return pcapngOf(220, this.records.flat());
  }
}

const I = (ns: 0 | 1, inf: string, more = false) => encodeT1Block({ kind: 'I', ns, more, inf: fromHex(inf) });
const R = (nr: 0 | 1, error: 'none' | 'edc-parity' = 'none') => encodeT1Block({ kind: 'R', nr, error });

/**
 * APDU level (abData is the APDU): a plain VERIFY twice (63C2 then 9000, so it is in exchanges
 * and transactions), a format-2 VERIFY, and one command per row of the secret table.
 */
export function apduLevelSecrets(): Uint8Array {
  return new Conversation()
    .powerOn()
    .apdu('00A4040006D27600012401', '9000')
    .apdu('0020008206313233343536', '63C2')
    .apdu('0020008206313233343536', '9000')
    .apdu('002000810826123456FFFFFFFF', '9000')
    .apdu(`002400810C313233343536${NEW_PIN}`, '9000')
    .apdu('0026008106313233343536', '9000')
    .apdu('0028008106313233343536', '9000')
    .apdu(`002C00810C313233343536${NEW_PIN}`, '9000')
    .apdu('00DA00D306313233343536', '9000')
    .apdu('10DB3FFF0A4D08B6007F480292185F', '9000')
    .apdu(`00DB3FFF18${KEY_BYTES}`, '9000')
    .apdu(`00FFFFFF1B039B18${KEY_BYTES}`, '9000')
    .apdu(`00FE079A1D0618${KEY_BYTES}AA0101`, '9000')
    .apdu('00CA006E00', '6E0A4F08D2760001240103049000')
    .bytes();
}

/**
 * T=1 through a reader found from traffic: SELECT; a VERIFY the card asks to be sent again
 * (R-block with an EDC error) so the same I-block travels twice; a CHANGE REFERENCE DATA
 * chained over two I-blocks; and a last VERIFY the capture ends before the card answers.
 * With captureStartsMidSession, the capture holds no ATR nor protocol selection.
 */
export function t1Secrets(options: { captureStartsMidSession?: boolean } = {}): Uint8Array {
  const conversation = new Conversation();
  // Started after the card was powered: no ATR, no SetParameters say the slot runs T=1.
  if (!options.captureStartsMidSession) conversation.powerOn().t1();
  return conversation
    .xfr(I(0, '00A4040006D27600012401'), I(0, '9000'))
    .xfr(I(1, '0020008206313233343536'), R(1, 'edc-parity'))
    .xfr(I(1, '0020008206313233343536'), I(1, '9000'))
    .xfr(I(0, `002400810C313233`, true), R(1))
    .xfr(I(1, `343536${NEW_PIN}`), I(0, '9000'))
    .xfr(I(0, '00CA006E00'), I(1, '6E0A4F08D2760001240103049000'))
    .xfr(I(1, '002000810826123456FFFFFFFF'), undefined)
    .bytes();
}

/**
 * An extended VERIFY chained over two XfrBlocks (wLevelParameter 1 then 2, the reader asks for
 * the rest with bChainParameter 10h) whose answer the capture does not hold. The second part is
 * the 5-byte PIN 3132333435 alone, which reads as a well-formed case-2 APDU of INS 32.
 */
export const CHAINED_PIN = '3132333435';
export function unansweredChainedVerify(): Uint8Array {
  return new Conversation()
    .powerOn()
    .xfr(fromHex('00200081000005'), new Uint8Array(0), { levelParameter: 0x01, chainParameter: 0x10 })
    .xfr(fromHex(CHAINED_PIN), undefined, { levelParameter: 0x02 })
    .bytes();
}
