/** A consumer that takes each exchange from the handler can tell the decoder not to keep them too. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes, type TraceExchange } from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');

describe.skipIf(skip)('TraceDecoder keepExchanges: false', () => {
  it('hands every exchange, numbered as usual, to the handler and keeps none in the report', () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng')));
    const handed: TraceExchange[] = [];
    const lean = decodeTraceBytes(bytes, { keepExchanges: false, foldTransactions: false, handlers: { exchange: (e) => handed.push(e) } });
    const full = decodeTraceBytes(bytes, { foldTransactions: false });
    expect(lean.exchanges).toEqual([]);
    expect(handed).toEqual(full.exchanges);
    expect(handed.map((e) => e.index)).toEqual(full.exchanges.map((_, i) => i + 1));
    expect({ ...lean, exchanges: full.exchanges }).toEqual(full);
  });
});
