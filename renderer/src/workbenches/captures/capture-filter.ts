/**
 * The Captures filter bar: its fields as the user types them, and the filter the backend gets
 * from them. A value the filter cannot use (slot `x`, INS `zz`) is left out of the filter, so
 * typing it does not change what the list shows — and `fieldProblems` says so at the field.
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

const SLOT = /^\d{1,3}$/;
const INS = /^[0-9a-f]{1,2}$/i;

/** Why a typed field is not used by the filter, by field; empty when every field is usable. */
export interface FilterFieldProblems {
  slot?: string;
  ins?: string;
}

export function fieldProblems(fields: FilterFields): FilterFieldProblems {
  const problems: FilterFieldProblems = {};
  const slot = fields.slot.trim();
  if (slot && !(SLOT.test(slot) && Number(slot) <= 255)) problems.slot = `“${slot}” is not a slot: type a number from 0 to 255.`;
  const ins = fields.ins.trim();
  if (ins && !INS.test(ins)) problems.ins = `“${ins}” is not an INS: type one byte in hex, e.g. A4 or CA.`;
  return problems;
}

export function filterFrom(fields: FilterFields): CaptureFilter {
  const filter: CaptureFilter = {};
  const problems = fieldProblems(fields);
  if (fields.device) filter.device = fields.device;
  if (fields.slot.trim() && !problems.slot) filter.slot = Number(fields.slot.trim());
  if (fields.messageType) filter.messageType = Number(fields.messageType);
  if (fields.ins.trim() && !problems.ins) filter.ins = parseInt(fields.ins.trim(), 16);
  if (fields.swClass) filter.swClass = fields.swClass;
  if (fields.problemsOnly) filter.problemsOnly = true;
  if (fields.text.trim()) filter.text = fields.text.trim();
  return filter;
}
