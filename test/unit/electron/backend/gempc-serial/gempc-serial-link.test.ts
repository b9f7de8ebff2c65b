import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeEscape, encodeGetSlotStatus, encodeSlotStatus } from '#core/ccid/encode-message.js';
import { encodeGemPcFrame, GemPcFrameReader, NAK_FRAME, shortEcho } from '../../../../../electron/backend/gempc-serial/gempc-framing.js';
import { GemPcSerialLink, type CcidDevice } from '../../../../../electron/backend/gempc-serial/gempc-serial-link.js';

const hex = (bytes: Uint8Array) => toHex(bytes, ' ').toUpperCase();

describe('GemPC framing', () => {
  it('frames a CCID message as 03 06 <message> LRC (the bytes libccid writes for GetSlotStatus)', () => {
    // From a libccid log: "-> 000000 03 06 65 00 00 00 00 00 03 00 00 00 63"
    expect(hex(encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 3 })))).toBe('03 06 65 00 00 00 00 00 03 00 00 00 63');
  });

  it('makes the short echo: the command header with dwLength 0', () => {
    const escape = encodeEscape({ slot: 0, seq: 0x0e, data: fromHex('02') });
    expect(hex(shortEcho(escape))).toBe('03 06 6B 00 00 00 00 00 0E 00 00 00 60');
  });

  it('reassembles frames split anywhere, skips noise, flags a bad LRC and reads a NAK', () => {
    const a = encodeGemPcFrame(encodeEscape({ slot: 0, seq: 1, data: new Uint8Array(175).fill(0x20) }));
    const b = encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 2 }));
    const bad = Uint8Array.from(b);
    bad[bad.length - 1]! ^= 1;
    const stream = Uint8Array.from([0x55, ...a, ...bad, ...NAK_FRAME, ...b]);
    const reader = new GemPcFrameReader();
    const events = [];
    for (let i = 0; i < stream.length; i += 7) events.push(...reader.push(stream.subarray(i, i + 7)));
    expect(events.map((e) => e.type)).toEqual(['garbage', 'message', 'bad-lrc', 'nak', 'message']);
    expect(events[1]!.type === 'message' && events[1]!.message.length).toBe(185);
    expect(reader.pending).toBe(0);
  });

  it('does not wait forever on a dwLength no GemPC message has (resynchronises instead)', () => {
    const reader = new GemPcFrameReader();
    const events = reader.push(
      Uint8Array.from([
        0x03,
        0x06,
        0x6f,
        0xff,
        0xff,
        0xff,
        0x7f,
        0,
        0,
        0,
        0,
        0,
        ...encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 9 })),
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['garbage', 'message']);
  });
});

describe('GemPcSerialLink', () => {
  afterEach(() => vi.useRealTimers());

  function linkWith(device: CcidDevice) {
    const written: Uint8Array[] = [];
    const logs: string[] = [];
    const link = new GemPcSerialLink({
      device,
      write: (b) => written.push(Uint8Array.from(b)),
      log: (l) => logs.push(l),
      busyIntervalMs: 100,
    });
    return { link, written, logs };
  }
  const answerFor = (message: Uint8Array) => encodeSlotStatus({ slot: 0, seq: message[6]!, iccStatus: 0 });
  const immediate: CcidDevice = { handle: (m) => Promise.resolve(answerFor(m)) };

  it('answers each command with the short echo then the answer frame, in order', async () => {
    const { link, written } = linkWith(immediate);
    link.receive(
      Uint8Array.from([
        ...encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 1 })),
        ...encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 2 })),
      ]),
    );
    await link.settled();
    expect(written.map(hex)).toEqual([
      hex(shortEcho(encodeGetSlotStatus({ slot: 0, seq: 1 }))),
      hex(encodeGemPcFrame(answerFor(encodeGetSlotStatus({ slot: 0, seq: 1 })))),
      hex(shortEcho(encodeGetSlotStatus({ slot: 0, seq: 2 }))),
      hex(encodeGemPcFrame(answerFor(encodeGetSlotStatus({ slot: 0, seq: 2 })))),
    ]);
  });

  it('answers a frame with a bad LRC with NAK, and a host NAK with the last answer again', async () => {
    const { link, written, logs } = linkWith(immediate);
    const frame = encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 1 }));
    const bad = Uint8Array.from(frame);
    bad[bad.length - 1]! ^= 0xff;
    link.receive(bad);
    expect(written.map(hex)).toEqual(['03 15 16']);
    link.receive(frame);
    await link.settled();
    const last = [...written.slice(1)].flatMap((b) => [...b]);
    written.length = 0;
    link.receive(NAK_FRAME);
    expect(hex(Uint8Array.from(written.flatMap((b) => [...b])))).toBe(hex(Uint8Array.from(last)));
    expect(logs.some((l) => l.includes('bad LRC'))).toBe(true);
  });

  it('sends busy bytes (0x80) while the device takes its time, then the answer', async () => {
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const slow: CcidDevice = { handle: (m) => new Promise((resolve) => (release = () => resolve(answerFor(m)))) };
    const { link, written } = linkWith(slow);
    link.receive(encodeGemPcFrame(encodeGetSlotStatus({ slot: 0, seq: 7 })));
    await vi.advanceTimersByTimeAsync(350);
    expect(written.slice(1).map(hex)).toEqual(['80', '80', '80']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(hex(written.at(-1)!)).toBe(hex(encodeGemPcFrame(answerFor(encodeGetSlotStatus({ slot: 0, seq: 7 })))));
    await vi.advanceTimersByTimeAsync(500);
    expect(written.length).toBe(5);
  });
});
