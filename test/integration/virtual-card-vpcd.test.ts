/**
 * `cardbench virtual-card --vpcd` against the real stack: a private pcscd with vsmartcard's vpcd driver,
 * our card as a child process, and independent clients (opensc-tool, scriptor) checking what any PC/SC
 * program would see: insertion, the ATR, T=1 and T=0 exchanges (extended length, 61xx chains, 6Cxx),
 * PIN retry counters, logs without PIN bytes, and removal when the card process stops or dies.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';
import {
  VPCD_SLOTS,
  openscAtr,
  runScriptor,
  startVirtualCard,
  waitForCardPresence,
  type VirtualCardProcess,
} from '../rigs/virtual-card-rig.js';

const missingTool = ['opensc-tool', 'scriptor'].find((tool) => spawnSync('which', [tool]).status !== 0);
const skipReason =
  pcscdRigUnavailableReason() ?? (missingTool ? `${missingTool} is not installed (apt-get install opensc pcsc-tools)` : undefined);
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] virtual card on vpcd: ${skipReason}`);
}

const [T1_SLOT, T0_SLOT] = VPCD_SLOTS;
const LONG_FILE = Array.from({ length: 600 }, (_, i) => (i & 0xff).toString(16).padStart(2, '0').toUpperCase()).join('');
const ASCII_123456 = '313233343536';
const SELECT_OPENPGP = '00A4040006D27600012401';
const VERIFY_WRONG = `0020008106${'30'.repeat(6)}`;
const VERIFY_RIGHT = `0020008106${ASCII_123456}`;

describe.skipIf(skipReason)('cardbench virtual-card --vpcd on a real pcscd', () => {
  let pcscd: PcscdRig | undefined;
  let t1Card: VirtualCardProcess | undefined;
  let t0Card: VirtualCardProcess | undefined;

  beforeAll(async () => {
    // The T=1 card starts before pcscd: it must wait for vpcd with a clear message, then plug in by itself.
    t1Card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--protocol', 't1']);
    await t1Card.waitForOutput(/Waiting for vpcd at 127\.0\.0\.1:35963: nothing listens/);
    pcscd = await startPcscd([VPCD_READER]);
    t0Card = startVirtualCard(['--vpcd', `:${T0_SLOT.port}`, '--protocol', 't0']);
  });

  afterAll(async () => {
    await t1Card?.kill();
    await t0Card?.kill();
    await pcscd?.stop();
  });

  it('plugs in once vpcd is there, and says so with the ATR', async () => {
    const [line] = await t1Card!.waitForOutput(
      /Virtual card inserted into vpcd at 127\.0\.0\.1:35963 \(T=1, ATR 3B8A8131FE45[0-9A-F]{22}\)/,
    );
    expect(line).toContain('3B8A8131FE45');
    await t0Card!.waitForOutput(/Virtual card inserted into vpcd at 127\.0\.0\.1:35964 \(T=0, ATR 3B0A[0-9A-F]{20}\)/);
    await waitForCardPresence(T1_SLOT.reader, true);
    await waitForCardPresence(T0_SLOT.reader, true);
  });

  it('opensc-tool reads our ATRs: T=1 with its TCK, T=0 without interface bytes', async () => {
    expect(await openscAtr(T1_SLOT.reader)).toBe('3B8A8131FE458031C073F4014082900024');
    expect(await openscAtr(T0_SLOT.reader)).toBe('3B0A8031C073F40100829000');
  });

  it('T=1 through scriptor: OpenPGP SELECT, GET DATA 6E, VERIFY wrong then right, 600 bytes in one extended READ BINARY', async () => {
    const { exchanges, protocol } = await runScriptor(T1_SLOT.reader, [
      SELECT_OPENPGP,
      '00CA006E00',
      VERIFY_WRONG,
      VERIFY_RIGHT,
      '00200081',
      '00A4000C022F01',
      '00B00000000258',
      '00B0000000',
    ]);
    expect(protocol).toBe('T=1');
    const responses = exchanges.map((e) => e.response);
    expect(responses[0]).toBe('9000');
    expect(responses[1]).toMatch(/^6E81E14F10D276000124010304FFFF.*9000$/);
    expect(responses.slice(2, 6)).toEqual(['63C2', '9000', '9000', '9000']);
    expect(responses[6]).toBe(`${LONG_FILE}9000`);
    expect(responses[7]).toBe(`${LONG_FILE.slice(0, 512)}9000`);
  });

  it('T=0 through scriptor: 6Cxx for a wrong Le, 61xx and GET RESPONSE chains, no extended APDUs', async () => {
    const { exchanges, protocol } = await runScriptor(T0_SLOT.reader, [
      SELECT_OPENPGP,
      '00CA006E00',
      '00CA006EE4',
      '00CA006E',
      '00C00000E4',
      VERIFY_WRONG,
      VERIFY_RIGHT,
      '00A40004022F01',
      '00C0000013',
      '00B00000',
      '00C0000000',
      '00B0020000',
      '00B0020058',
      '00B00000000258',
    ]);
    expect(protocol).toBe('T=0');
    const responses = exchanges.map((e) => e.response);
    expect(responses[0]).toBe('9000');
    expect(responses[1]).toBe('6CE4');
    expect(responses[2]).toMatch(/^6E81E1.{450}9000$/);
    expect(responses[3]).toBe('61E4');
    expect(responses[4]).toBe(responses[2]);
    expect(responses.slice(5, 7)).toEqual(['63C2', '9000']);
    expect(responses[7]).toBe('6113');
    // FCP: size 0258, transparent EF, FID 2F01, SFI 1, operational.
    expect(responses[8]).toBe('62118002025882010183022F018801088A01059000');
    expect(responses[9]).toBe('6100');
    expect(responses[10]).toBe(`${LONG_FILE.slice(0, 512)}9000`);
    expect(responses[11]).toBe('6C58');
    expect(responses[12]).toBe(`${LONG_FILE.slice(1024)}9000`);
    expect(responses[13]).toBe('6700');
  });

  it('logs every APDU with PIN bodies hidden', () => {
    for (const card of [t1Card!, t0Card!]) {
      const log = card.output();
      expect(log).toContain('00200081 VERIFY [6 byte(s) hidden: PIN]');
      expect(log).toContain('SW 63C2 (Wrong PIN: 2 tries left)');
      expect(log).not.toContain(ASCII_123456);
      expect(log).not.toContain('303030303030');
    }
  });

  it('Ctrl-C removes the card and exits 130, as every command Ctrl-C stops', async () => {
    expect(await t1Card!.interrupt()).toBe(130);
    expect(t1Card!.output()).toMatch(/Virtual card removed from vpcd at 127\.0\.0\.1:35963/);
    await waitForCardPresence(T1_SLOT.reader, false);
  });

  it('a card process that dies (SIGKILL) is a card pulled out; a new one is a card inserted', async () => {
    await t0Card!.kill();
    await waitForCardPresence(T0_SLOT.reader, false);
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0', '--ttl', '120']);
    await t0Card.waitForOutput(/Virtual card inserted/);
    await waitForCardPresence(T0_SLOT.reader, true);
    // A fresh card: fresh retry counters too.
    expect((await runScriptor(T0_SLOT.reader, [SELECT_OPENPGP, '00200081'])).exchanges.map((e) => e.response)).toEqual(['9000', '63C3']);
  });

  it('follows pcscd being stopped and restarted: says it waits, then plugs in again by itself', async () => {
    const inserted = (): number => t0Card!.output().match(/Virtual card inserted/g)?.length ?? 0;
    const before = inserted();
    await pcscd!.stop();
    await t0Card!.waitForOutput(
      /Virtual card removed from vpcd at 127\.0\.0\.1:35964 \([^)]+\)\n(?:.*\n)*?Waiting for vpcd at 127\.0\.0\.1:35964/,
    );
    pcscd = await startPcscd([VPCD_READER]);
    await waitFor(
      () => inserted() === before + 1,
      10_000,
      () => `no new insertion after pcscd restarted:\n${t0Card!.output()}`,
    );
    await waitForCardPresence(T0_SLOT.reader, true);
    expect((await runScriptor(T0_SLOT.reader, [SELECT_OPENPGP])).exchanges.map((e) => e.response)).toEqual(['9000']);
  });

  it('--ttl removes the card by itself', async () => {
    const short = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--ttl', '1.5']);
    await short.waitForOutput(/Virtual card inserted/);
    await waitForCardPresence(T1_SLOT.reader, true);
    await short.waitForOutput(/--ttl of 1\.5 s reached/, 10_000);
    await short.waitForOutput(/Virtual card removed/, 10_000);
    await waitForCardPresence(T1_SLOT.reader, false);
    await short.kill();
  });
});
