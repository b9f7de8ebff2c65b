/** Card events are listed up to a cap and counted beyond it, so a NotifySlotChange flood cannot grow the report with the file. */
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes, traceSummaryLines } from '#core/trace/index.js';
import { slotChangeFloodCapture } from '../capture/hostile-capture-files.js';

describe('card events beyond the cap', () => {
  it('a flood of 256-slot NotifySlotChange lists maxEvents events and counts the rest', () => {
    const report = decodeTraceBytes(slotChangeFloodCapture({ messages: 100 }), { maxEvents: 1000 });
    expect(report.events).toHaveLength(1000);
    expect(report.eventsOmitted).toBe(100 * 256 - 1000);
    const text = traceSummaryLines(report);
    expect(text).toContain('Events (25600):');
    expect(text).toContain(`  … and ${100 * 256 - 1000} more`);
  });

  it('the default cap holds 65,536 events whatever the file says', () => {
    const report = decodeTraceBytes(slotChangeFloodCapture({ messages: 300 }));
    expect(report.events).toHaveLength(65_536);
    expect(report.eventsOmitted).toBe(300 * 256 - 65_536);
  });
});
