/**
 * The Captures filter bar: its fields as the user types them, and the filter the backend gets
 * from them. A value the filter cannot use (slot `x`, INS `zz`) is left out of the filter, so
 * typing it does not change what the list shows.
 */
import type { CaptureFilter, SwClass } from '#core/ipc/channels/captures.js';

export interface FilterFields {
  /** A device id from the capture's device list; '' for all. */
  device: string;
  /** A decimal slot number. */
  slot: string;
  /** A bMessageType code, as the option value (decimal); '' for all. */
  messageType: string;
  /** One or two hex digits. */
  ins: string;
  swClass: '' | SwClass;
  problemsOnly: boolean;
  /** Text the backend looks for in each row's line (any case). */
  text: string;
}

export function emptyFilterFields(): FilterFields {
  return { device: '', slot: '', messageType: '', ins: '', swClass: '', problemsOnly: false, text: '' };
}

export function filterFrom(fields: FilterFields): CaptureFilter {
  const filter: CaptureFilter = {};
  if (fields.device) filter.device = fields.device;
  if (/^\d+$/.test(fields.slot)) filter.slot = Number(fields.slot);
  if (fields.messageType) filter.messageType = Number(fields.messageType);
  if (/^[0-9a-f]{1,2}$/i.test(fields.ins.trim())) filter.ins = parseInt(fields.ins.trim(), 16);
  if (fields.swClass) filter.swClass = fields.swClass;
  if (fields.problemsOnly) filter.problemsOnly = true;
  if (fields.text.trim()) filter.text = fields.text.trim();
  return filter;
}
