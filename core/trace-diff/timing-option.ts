/**
 * The --timing-threshold value: `2x,50ms` (both must be exceeded: the slower exchange at least
 * twice the faster and 50 ms slower), either part alone (`3x`, `20ms`), or `off`.
 */
import type { TimingThreshold } from './trace-diff.js';

export type TimingOptionResult = { ok: true; threshold: TimingThreshold | null } | { ok: false; reason: string };

export function parseTimingThreshold(text: string): TimingOptionResult {
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === 'none') return { ok: true, threshold: null };
  let factor = 1;
  let minMs = 0;
  const parts = value.split(/[,\s]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 2) return { ok: false, reason: `'${text}' is not FACTORx,MSms (e.g. 2x,50ms) or off` };
  for (const part of parts) {
    const ratio = /^(?:x|×)?(\d+(?:\.\d+)?)(?:x|×)$|^(?:x|×)(\d+(?:\.\d+)?)$/.exec(part);
    const time = /^(\d+(?:\.\d+)?)ms$/.exec(part);
    if (ratio) {
      factor = Number(ratio[1] ?? ratio[2]);
      if (!(factor >= 1)) return { ok: false, reason: `the factor in '${text}' must be at least 1` };
    } else if (time) {
      minMs = Number(time[1]);
    } else {
      return { ok: false, reason: `'${part}' in '${text}' is neither a factor (2x) nor a time (50ms)` };
    }
  }
  if (factor === 1 && minMs === 0) return { ok: false, reason: `'${text}' would count every exchange; use off to ignore timing` };
  return { ok: true, threshold: { factor, minMs } };
}
