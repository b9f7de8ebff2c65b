/**
 * The virtual pinpad reader as PC/SC applications see it: `cardbench virtual-reader` on a pty,
 * a private pcscd with libccid's real GemPC serial driver (libccidtwin), and independent clients
 * (opensc-tool, scriptor, the pcsclite binding). PIN entry comes from a keypad script, so the
 * outcomes 9000 / 63Cx / 6401 / 6400 are exercised end to end through SCardControl.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { scardCtlCode } from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { encodePinModifyStructure } from '#core/pcsc/pin-structures.js';
import { pcscdRigUnavailableReason, waitFor } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig, type PinpadRig } from '../rigs/pinpad-reader-rig.js';
import { openpgpPw1VerifyStructure } from '../support/openpgp-pinpad.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

type PcscLite = typeof import('pcsclite');
type PcscInstance = ReturnType<PcscLite>;
type CardReader = Parameters<Parameters<PcscInstance['on']>[1]>[0] & { name: string };

/** Never execFileSync: a blocked event loop stops reading pcscd's debug pipe and stalls pcscd. */
function run(command: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 15_000, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    child.stdin?.end(input ?? '');
  });
}

const hex = (bytes: Uint8Array) => toHex(bytes).toUpperCase();
const OPENPGP_SELECT = '00A4040006D27600012401';
/** OpenPGP PW1 (81) as GnuPG sends it through a pinpad: ASCII digits appended, no fixed block. */
const VERIFY_PW1 = openpgpPw1VerifyStructure();

describe.skipIf(skipReason)('virtual pinpad reader behind real pcscd + libccidtwin (T=1 card)', () => {
  let rig: PinpadRig;
  let pcsc: PcscInstance;
  let reader: CardReader;
  let protocol = 0;

  beforeAll(async () => {
    rig = await startPinpadRig({
      card: 't1',
      keypadScript: ['123456', '000000', 'cancel', 'timeout', 'delay 2500', '123456', '123456', '654321', '654321', '654321'],
    });
    const pcsclite = createRequire(import.meta.url)('pcsclite') as PcscLite;
    pcsc = pcsclite();
    pcsc.on('error', () => undefined);
    reader = await new Promise<CardReader>((resolve) => {
      pcsc.on('reader', (r: CardReader) => {
        r.on('error', () => undefined);
        if (r.name === PINPAD_PCSC_NAME) resolve(r);
      });
    });
  }, 60_000);

  afterAll(async () => {
    if (reader?.connected) await new Promise((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, resolve));
    pcsc?.close();
    // pcscd first, then the reader: pcscd never sees its reader vanish.
    await rig?.stop();
  });

  const control = (data: Uint8Array, code: number) =>
    new Promise<Uint8Array>((resolve, reject) =>
      reader.control(Buffer.from(data), code, 512, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out)))),
    );
  const transmit = (apdu: string) =>
    new Promise<string>((resolve, reject) =>
      reader.transmit(Buffer.from(fromHex(apdu)), 4096, protocol, (err, out) => (err ? reject(err) : resolve(hex(new Uint8Array(out))))),
    );

  it('opensc-tool lists "Cardbench Virtual Pinpad 00 00" with a card and a PIN pad', async () => {
    let listing = '';
    await waitFor(
      async () => (listing = (await run('opensc-tool', ['-l'])).out).includes(PINPAD_PCSC_NAME),
      15_000,
      () => `opensc-tool -l:\n${listing}\npcscd:\n${rig.pcscd.log().slice(-3000)}`,
    );
    expect(listing).toMatch(/Yes\s+PIN pad\s+Cardbench Virtual Pinpad 00 00/);
  });

  it('opensc-tool -a shows the virtual card ATR', async () => {
    const { out } = await run('opensc-tool', ['-r', PINPAD_PCSC_NAME, '-a']);
    expect(out.trim()).toBe('3b:8a:81:31:fe:45:80:31:c0:73:f4:01:40:82:90:00:24');
  });

  it('scriptor: SELECT answers 9000, and a 600-byte READ BINARY arrives whole through T=1 chaining', async () => {
    const script = ['00A4040006D27600012401', '00A4000C022F01', '00B00000000258'].join('\n');
    const { out } = await run('scriptor', ['-r', PINPAD_PCSC_NAME], `${script}\n`);
    const answers = out
      .split('\n< ')
      .slice(1)
      .map((a) => a.split(' : ')[0]!.replace(/\s+/g, ''));
    expect(answers[0]).toBe('9000');
    expect(answers[1]).toBe('9000');
    expect(answers[2]!.length).toBe((600 + 2) * 2);
    expect(answers[2]!.endsWith('9000')).toBe(true);
  });

  it('pcsclite: connects shared, and a command chained to the card (UPDATE BINARY, 300 bytes) comes back by READ BINARY', async () => {
    protocol = await new Promise<number>((resolve, reject) =>
      reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, p) => (err ? reject(err) : resolve(p))),
    );
    expect(protocol).toBe(reader.SCARD_PROTOCOL_T1);
    expect(await transmit('00A4000C022F01')).toBe('9000');
    const data = Array.from({ length: 300 }, (_, i) => ((i * 7) & 0xff).toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase();
    expect(await transmit(`00D60000${'00012C'}${data}`)).toBe('9000');
    expect(await transmit('00B0000000012C')).toBe(`${data}9000`);
  });

  it('GET_FEATURE_REQUEST lists VERIFY_PIN_DIRECT, MODIFY_PIN_DIRECT, IFD_PIN_PROPERTIES and GET_TLV_PROPERTIES', async () => {
    const answer = await control(new Uint8Array(0), scardCtlCode(3400, 'pcsc-lite'));
    const { features, problems } = decodeFeatureList(answer);
    expect(problems).toEqual([]);
    expect(features.map((f) => f.tag)).toEqual(expect.arrayContaining([0x06, 0x07, 0x0a, 0x12]));
  });

  async function featureCode(tag: number): Promise<number> {
    const { features } = decodeFeatureList(await control(new Uint8Array(0), scardCtlCode(3400, 'pcsc-lite')));
    return features.find((f) => f.tag === tag)!.controlCode;
  }

  it('VERIFY_PIN_DIRECT: right PIN 9000, wrong PIN 63C2, cancel 6401, timeout 6400', async () => {
    expect(await transmit(OPENPGP_SELECT)).toBe('9000');
    const verify = await featureCode(0x06);
    expect(hex(await control(VERIFY_PW1, verify))).toBe('9000');
    expect(hex(await control(VERIFY_PW1, verify))).toBe('63C2');
    expect(hex(await control(VERIFY_PW1, verify))).toBe('6401');
    expect(hex(await control(VERIFY_PW1, verify))).toBe('6400');
    // The cancelled/timed-out entries did not disturb T=1 sequencing: plain APDUs still work.
    expect(await transmit('00200081')).toBe('63C2');
  });

  it('a slow keypad (2.5 s) keeps the driver waiting with busy bytes, then the PIN is verified', async () => {
    const verify = await featureCode(0x06);
    const started = Date.now();
    expect(hex(await control(VERIFY_PW1, verify))).toBe('9000');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(rig.pcscd.log()).toContain('time request: 0x80');
  });

  it('MODIFY_PIN_DIRECT changes PW1 (current + new + confirmation on the keypad); the new PIN then verifies', async () => {
    const modify = encodePinModifyStructure({
      formatString: 0x82,
      pinBlockString: 0x00,
      pinLengthFormat: 0x00,
      insertionOffsetOld: 0,
      insertionOffsetNew: 6,
      minPinSize: 6,
      maxPinSize: 8,
      confirmPin: 0x03,
      apdu: fromHex('00240081'),
    });
    expect(hex(await control(modify, await featureCode(0x07)))).toBe('9000');
    expect(hex(await control(VERIFY_PW1, await featureCode(0x06)))).toBe('9000');
  });

  it('never logs a PIN (reader output)', () => {
    expect(rig.reader.output()).not.toMatch(/123456|654321|313233343536/);
    expect(rig.reader.output()).toContain('PIN verify: cancelled');
  });
});

describe.skipIf(skipReason)('virtual pinpad reader behind real pcscd + libccidtwin (T=0 card)', () => {
  let rig: PinpadRig;

  beforeAll(async () => {
    rig = await startPinpadRig({ card: 't0', keypadScript: ['123456'] });
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('opensc-tool -a shows the T=0 ATR; scriptor gets 9000 to SELECT and a long answer through 61xx/GET RESPONSE', async () => {
    let atr = '';
    await waitFor(
      async () => (atr = (await run('opensc-tool', ['-r', PINPAD_PCSC_NAME, '-a'])).out.trim()).startsWith('3b:0a'),
      15_000,
      () => `opensc-tool -a: ${atr}\npcscd:\n${rig.pcscd.log().slice(-3000)}`,
    );
    expect(atr).toBe('3b:0a:80:31:c0:73:f4:01:00:82:90:00');
    const { out } = await run('scriptor', ['-r', PINPAD_PCSC_NAME], `${OPENPGP_SELECT}\n00A4000C022F01\n00B0000000\n`);
    const answers = out
      .split('\n< ')
      .slice(1)
      .map((a) => a.split(' : ')[0]!.replace(/\s+/g, ''));
    expect(answers.slice(0, 2)).toEqual(['9000', '9000']);
    expect(answers[2]).toMatch(/^61[0-9A-F]{2}$|^[0-9A-F]{512}9000$/);
  });

  it('VERIFY_PIN_DIRECT on the T=0 card: the keypad PIN reaches the card, 9000', async () => {
    const pcsclite = createRequire(import.meta.url)('pcsclite') as PcscLite;
    const pcsc = pcsclite();
    pcsc.on('error', () => undefined);
    try {
      const reader = await new Promise<CardReader>((resolve) =>
        pcsc.on('reader', (r: CardReader) => {
          r.on('error', () => undefined);
          if (r.name === PINPAD_PCSC_NAME) resolve(r);
        }),
      );
      const protocol = await new Promise<number>((resolve, reject) =>
        reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, p) => (err ? reject(err) : resolve(p))),
      );
      expect(protocol).toBe(reader.SCARD_PROTOCOL_T0);
      const select = await new Promise<Uint8Array>((resolve, reject) =>
        reader.transmit(Buffer.from(fromHex(OPENPGP_SELECT)), 258, protocol, (err, out) =>
          err ? reject(err) : resolve(new Uint8Array(out)),
        ),
      );
      expect(hex(select)).toBe('9000');
      const control = (data: Uint8Array, code: number) =>
        new Promise<Uint8Array>((resolve, reject) =>
          reader.control(Buffer.from(data), code, 512, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out)))),
        );
      const { features } = decodeFeatureList(await control(new Uint8Array(0), scardCtlCode(3400, 'pcsc-lite')));
      const verify = features.find((f) => f.tag === 0x06)!.controlCode;
      expect(hex(await control(VERIFY_PW1, verify))).toBe('9000');
      await new Promise((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, resolve));
    } finally {
      pcsc.close();
    }
  });

  it('stops cleanly on Ctrl-C after pcscd has stopped (exit 130, as for every command Ctrl-C stops), removing its pty link', async () => {
    expect(await rig.stop()).toBe(130);
    expect(rig.reader.output()).toContain('Stopping the virtual reader');
    expect(existsSync(rig.reader.ptyPath)).toBe(false);
  });
});
