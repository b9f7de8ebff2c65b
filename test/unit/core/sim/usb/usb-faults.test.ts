/**
 * The driver against an unreliable reader: mute and slow cards, stale and wrong bSeq answers, a
 * device unplugged mid-transfer, answers split over transfers, garbled T=1 blocks, S(WTX) and S(IFS).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { GEMPC_PINPAD_USB_PROFILE, QEMU_TPDU_T0_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { apdu, hexOf, rig, SELECT_OPENPGP } from './usb-rig.js';

const t0Card = () => [new VirtualSmartCard({ protocol: 'T=0' })];
const READ_600 = apdu('00B00000000258');
const SELECT_LONG_FILE = apdu('00A4020C022F01');
const expectedFile = hexOf(Uint8Array.from({ length: 600 }, (_, i) => i & 0xff)) + '9000';

afterEach(() => {
  vi.useRealTimers();
});

describe('reader-level faults', () => {
  it('mute card reported by the reader (ICC_MUTE) → card-mute, and the next command works once the card answers', async () => {
    const { driver, device } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card() });
    await driver.powerOn(0);
    device.faults.muteCard = 'reader-reports';
    await expect(driver.transmit(0, SELECT_OPENPGP)).rejects.toMatchObject({ code: 'card-mute', bError: 0xfe });
    device.faults.muteCard = undefined;
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP))).toBe('9000');
  });

  it('mute card with a silent reader → timeout, ABORT request + PC_to_RDR_Abort, then back in step', async () => {
    vi.useFakeTimers();
    const { driver, device, trace, sent } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card(), driver: { timeouts: { fixedExchangeMs: 200 } } });
    await driver.powerOn(0);
    device.faults.muteCard = 'no-answer';
    const pending = driver.transmit(0, SELECT_OPENPGP).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    const error = await pending;
    expect(error).toMatchObject({ code: 'reader-timeout' });
    expect(String((error as Error).message)).toContain('the command was aborted');
    expect(trace.some((e) => e.direction === 'control' && e.request.startsWith('ABORT slot 0'))).toBe(true);
    const abort = sent().at(-1)!;
    expect(abort[0]).toBe(0x72);
    device.faults.muteCard = undefined;
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP))).toBe('9000');
  });

  it('slow card: time extensions (bStatus 0x80) stretch the wait by the reader multiplier', async () => {
    vi.useFakeTimers();
    const { driver, device, events } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card(), driver: { timeouts: { fixedExchangeMs: 100 } } });
    await driver.powerOn(0);
    // The answer comes 300 ms after the last extension: beyond 100 ms, within 5 × 100 ms.
    device.faults.slowCard = { count: 3, multiplier: 5, intervalMs: 80, finalDelayMs: 300 };
    const pending = driver.transmit(0, SELECT_OPENPGP);
    await vi.advanceTimersByTimeAsync(600);
    expect(hexOf(await pending)).toBe('9000');
    expect(events.filter((e) => e.type === 'time-extension')).toEqual(Array(3).fill({ type: 'time-extension', slot: 0, multiplier: 5 }));
  });

  it('slow card beyond the extension it asked for → reader-timeout', async () => {
    vi.useFakeTimers();
    const { driver, device } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card(), driver: { timeouts: { fixedExchangeMs: 100 } } });
    await driver.powerOn(0);
    device.faults.slowCard = { count: 1, multiplier: 2, intervalMs: 50, finalDelayMs: 400 };
    const pending = driver.transmit(0, SELECT_OPENPGP).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await pending).toMatchObject({ code: 'reader-timeout' });
  });

  it('stale answers with the previous bSeq are skipped; the matching one is used', async () => {
    const { driver, device } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card() });
    await driver.powerOn(0);
    device.faults.staleAnswers = 2;
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP))).toBe('9000');
    expect(hexOf(await driver.transmit(0, apdu('00A4000C023F00')))).toBe('9000');
    expect(device.faults.staleAnswers).toBe(0);
  });

  it('a reader that always answers with a wrong bSeq → reader-timeout that says so', async () => {
    vi.useFakeTimers();
    const { driver, device } = rig(QEMU_TPDU_T0_PROFILE, { cards: t0Card(), driver: { timeouts: { fixedExchangeMs: 100 } } });
    await driver.powerOn(0);
    device.faults.wrongSeqAlways = true;
    const pending = driver.transmit(0, SELECT_OPENPGP).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    const error = await pending;
    expect(error).toMatchObject({ code: 'reader-timeout' });
    expect((error as Error).message).toMatch(/wrong bSeq/);
  });

  it('device unplugged mid-transfer → device-gone, an event, and every later call fails the same way at once', async () => {
    const { driver, device, events } = rig(GEMPC_PINPAD_USB_PROFILE);
    await driver.powerOn(0);
    device.faults.vanishAfterMessages = 1;
    await expect(driver.transmit(0, SELECT_OPENPGP)).rejects.toMatchObject({ code: 'device-gone' });
    expect(events.some((e) => e.type === 'device-gone')).toBe(true);
    await expect(driver.slotStatus(0)).rejects.toMatchObject({ code: 'device-gone' });
    await expect(driver.escape(Uint8Array.of(2))).rejects.toMatchObject({ code: 'device-gone' });
  });

  it('answers split into 16-byte bulk IN transfers are rebuilt from dwLength', async () => {
    const { driver, device } = rig(GEMPC_PINPAD_USB_PROFILE, { faults: { splitAnswersAt: 16 } });
    await driver.powerOn(0);
    await driver.transmit(0, SELECT_LONG_FILE);
    expect(hexOf(await driver.transmit(0, READ_600))).toBe(expectedFile);
    expect(device.faults.splitAnswersAt).toBe(16);
  });
});

describe('T=1 faults (TPDU level)', () => {
  async function t1Rig() {
    const r = rig(GEMPC_PINPAD_USB_PROFILE);
    await r.driver.powerOn(0);
    await r.driver.transmit(0, SELECT_LONG_FILE);
    return r;
  }
  const t1Events = (events: ReturnType<typeof rig>['events']) => events.flatMap((e) => (e.type === 't1' ? [e.event] : []));

  it('a garbled card block is asked for again with an R-block (edc error)', async () => {
    const { driver, device, events, sent } = await t1Rig();
    device.faults.corruptCardBlocks = 1;
    const from = sent().length;
    expect(hexOf(await driver.transmit(0, READ_600))).toBe(expectedFile);
    expect(t1Events(events)).toContainEqual({ type: 'retransmit', reason: 'bad EDC or framing in the card block' });
    // R-block with N(R) and the EDC error bit: PCB 81 or 91.
    expect(
      sent()
        .slice(from)
        .some((m) => (m[11]! & 0xef) === 0x81),
    ).toBe(true);
  });

  it('a host block garbled on the way is retransmitted when the card asks', async () => {
    const { driver, device, events } = await t1Rig();
    device.faults.corruptHostBlocks = 1;
    expect(hexOf(await driver.transmit(0, READ_600))).toBe(expectedFile);
    expect(t1Events(events).some((e) => e.type === 'retransmit')).toBe(true);
  });

  it('S(WTX) is answered and the next XfrBlock carries bBWI = the multiplier', async () => {
    const { driver, device, events, sent } = await t1Rig();
    device.faults.wtxRequests = { count: 1, multiplier: 3 };
    expect(hexOf(await driver.transmit(0, READ_600))).toBe(expectedFile);
    expect(t1Events(events)).toContainEqual({ type: 'wtx', multiplier: 3 });
    const wtxResponse = sent().find((m) => m[11] === 0xe3);
    expect(wtxResponse?.[7]).toBe(3);
    expect(hexOf(wtxResponse!.subarray(10))).toBe('00E30103E1');
  });

  it('S(IFS) from the card changes IFSC: the next long command goes out in blocks of that size', async () => {
    const { driver, device, events, sent } = await t1Rig();
    device.faults.ifsRequests = { count: 1, value: 64 };
    await driver.transmit(0, SELECT_LONG_FILE);
    expect(t1Events(events)).toContainEqual({ type: 'ifsc', value: 64 });
    const from = sent().length;
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    expect(hexOf(await driver.transmit(0, Uint8Array.of(0x00, 0xd6, 0x00, 0x00, 0xc8, ...data)))).toBe('9000');
    const lengths = sent()
      .slice(from)
      .map((m) => m[12]);
    expect(lengths).toEqual([64, 64, 64, 13]);
  });

  it('after 3 failed retransmissions the engine resynchronises (S(RESYNCH)) and sends the APDU again', async () => {
    const { driver, device, events } = await t1Rig();
    device.faults.corruptCardBlocks = 4;
    expect(hexOf(await driver.transmit(0, READ_600))).toBe(expectedFile);
    expect(t1Events(events)).toContainEqual({ type: 'resynch' });
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
  });

  it('a card that stays mute under T=1 → t1-failed after R-blocks and a failed resynch', async () => {
    const { driver, device } = await t1Rig();
    device.faults.muteCard = 'reader-reports';
    await expect(driver.transmit(0, SELECT_OPENPGP)).rejects.toMatchObject({ code: 't1-failed' });
  });
});
