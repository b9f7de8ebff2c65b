/** The transcript of a large trace (the 113 MB capture has 53,248 exchanges) is made without overflowing the stack. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes, traceSummaryLines } from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');

describe.skipIf(skip)('traceSummaryLines on a large trace', () => {
  it('lists 53,248 exchanges (the 208 of the GCC capture, 256 times)', () => {
    const report = decodeTraceBytes(new Uint8Array(readFileSync(sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng'))));
    const exchanges = Array.from({ length: 256 }, () => report.exchanges).flat();
    const lines = traceSummaryLines({ ...report, exchanges });
    expect(lines).toContain('APDU exchanges (53248):');
    expect(lines.filter((l) => l.startsWith('         C: '))).toHaveLength(53_248);
  });
});
