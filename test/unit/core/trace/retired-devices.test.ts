/**
 * A capture of many sessions re-enumerates its reader in each: every session is a new device
 * identity at the same address. The identity a new one replaces is retired — the CCID stream and
 * the decoder let go of its state — and, for a decode that never lists the devices
 * (forgetRetiredDevices, decode --ndjson), the registry forgets it: what is kept stays what one
 * session needs, however many sessions the capture holds, and the exchanges are the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceDecoder, type TraceExchange } from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');
const SESSIONS = 12;

/** The GCC capture (one session: the reader enumerated, 208 exchanges) end to end, `copies` times: one pcapng section each. */
function sessions(copies: number): Uint8Array {
  const one = readFileSync(sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng'));
  return new Uint8Array(Buffer.concat(Array<Buffer>(copies).fill(one)));
}

function decode(bytes: Uint8Array, forgetRetiredDevices: boolean) {
  const exchanges: TraceExchange[] = [];
  const retired: string[] = [];
  const decoder = new TraceDecoder({ foldTransactions: false, forgetRetiredDevices, handlers: { exchange: (e) => exchanges.push(e) } });
  const registry = decoder['capture'].tracker.devices;
  registry.onRetired((device: { key: string }) => retired.push(device.key));
  // Chunks that end inside blocks, as a worker's reads do.
  for (let at = 0; at < bytes.length; at += 65_521) decoder.push(bytes.subarray(at, at + 65_521));
  const readersBeforeEnd = decoder['readers'].size;
  const streamsBeforeEnd = decoder['capture'].ccid['states'].size;
  decoder.end();
  return {
    exchanges,
    retired,
    readersBeforeEnd,
    streamsBeforeEnd,
    listed: registry.devices.length,
    report: decoder.result({ devices: !forgetRetiredDevices }),
  };
}

describe.skipIf(skip)('device identities a re-enumeration retires', () => {
  it('are let go by the CCID stream and the decoder; listed devices keep their CCID endpoints', () => {
    const kept = decode(sessions(SESSIONS), false);
    // Each session's reader enumerates as two identities (SET_ADDRESS, then its device descriptor).
    expect(kept.retired.length).toBe(2 * SESSIONS - 1);
    expect(kept.readersBeforeEnd).toBe(1);
    expect(kept.exchanges).toHaveLength(208 * SESSIONS);
    const readers = kept.report.devices.filter((d) => d.ccidDetection);
    expect(readers).toHaveLength(SESSIONS);
    expect(readers.every((d) => d.ccid !== null)).toBe(true);
  });

  it('are forgotten altogether when the devices are not listed, with the same exchanges', () => {
    const kept = decode(sessions(SESSIONS), false);
    const forgot = decode(sessions(SESSIONS), true);
    expect(forgot.exchanges).toEqual(kept.exchanges);
    expect(forgot.readersBeforeEnd).toBe(1);
    // The reader of the last session and the bus's other two devices, whatever the number of sessions.
    expect(forgot.listed).toBe(3);
    expect(forgot.streamsBeforeEnd).toBe(1);
    expect(kept.streamsBeforeEnd).toBe(SESSIONS);
    expect(forgot.report.problems).toEqual(kept.report.problems);
  });
});
