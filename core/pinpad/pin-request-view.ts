/**
 * A PinRequest as plain JSON: what crosses the IPC contract (`pinpad.build`, `pinpad.run`) and
 * what `cardbench pin --json` prints. Bytes become uppercase hex, decode trees lose nothing but
 * bigint values (none here), and the fields are listed in structure order by their PC/SC names.
 *
 * API: pinRequestView(request) → PinRequestView; pinPresetView(preset) → PinPresetView.
 */
import { toHex } from '../bytes/hex.js';
import { jsonSafeNodes } from '../console/json-safe.js';
import type { DissectNode, ProblemSeverity } from '../dissect/node.js';
import { pinStructureFields, type PinOperationName, type TemplateByteRole } from '../pcsc/pin-format.js';
import type { WireRewrite } from './libccid-wire.js';
import { settingsToRecord } from './parameters.js';
import type { PinAdjustment, PinRequest } from './pin-request.js';
import { presetOperations, presetParameters, type PinPreset, type RetryProbeSupport } from './presets.js';
import type { PinWarning } from './warnings.js';

export interface ProblemView {
  code: string;
  message: string;
  severity: ProblemSeverity;
}

export interface PinRequestView {
  preset: string;
  presetTitle: string;
  operation: PinOperationName;
  /** The structure's fields in PC/SC order (ulDataLength included), by their part 10 names. */
  fields: Record<string, number>;
  /** The APDU template, hex. */
  apdu: string;
  /** The user's settings as given (FIELD → value). */
  settings: Record<string, number | string>;
  adjustments: PinAdjustment[];
  pcsc: { hex: string; tree: DissectNode[]; problems: ProblemView[] };
  /** abData = bPINOperation + abPINDataStructure; message = the whole PC_to_RDR_Secure (slot 0, bSeq 0). */
  ccid: { abDataHex: string | null; messageHex: string | null; tree: DissectNode[]; problems: ProblemView[] };
  /** What libccid sends this reader model, when it differs from ccid. */
  libccid: {
    abDataHex: string | null;
    rewrites: WireRewrite[];
    before: { description: string; escapeHex: string; source: string }[];
    problems: ProblemView[];
  } | null;
  template: { hex: string; roles: TemplateByteRole[]; appended: boolean; lines: string[] };
  warnings: PinWarning[];
  reader: { label: string; model: string; vendorId: number | null; productId: number | null } | null;
  select: string | null;
  retryProbe: { apdu: string | null; support: RetryProbeSupport; note: string };
}

const problemViews = (problems: readonly ProblemView[]): ProblemView[] =>
  problems.map((p) => ({ code: p.code, message: p.message, severity: p.severity }));

export function pinRequestView(r: PinRequest): PinRequestView {
  const fields: Record<string, number> = {};
  for (const spec of pinStructureFields('pcsc', r.operation)) {
    fields[spec.name] = spec.name === 'ulDataLength' ? r.parameters.apdu.length : r.parameters[spec.name];
  }
  return {
    preset: r.preset.name,
    presetTitle: r.preset.title,
    operation: r.operation,
    fields,
    apdu: toHex(r.parameters.apdu),
    settings: settingsToRecord(r.settings),
    adjustments: r.adjustments,
    pcsc: { hex: toHex(r.pcsc.bytes), tree: jsonSafeNodes(r.pcsc.nodes), problems: problemViews(r.pcsc.problems) },
    ccid: {
      abDataHex: r.ccid.abData ? toHex(r.ccid.abData) : null,
      messageHex: r.ccid.message ? toHex(r.ccid.message) : null,
      tree: jsonSafeNodes(r.ccid.nodes),
      problems: problemViews(r.ccid.problems),
    },
    libccid: r.libccid
      ? {
          abDataHex: r.libccid.data ? toHex(r.libccid.data) : null,
          rewrites: r.libccid.rewrites,
          before: r.libccid.before.map((b) => ({ description: b.description, escapeHex: toHex(b.escape), source: b.source })),
          problems: problemViews(r.libccid.problems),
        }
      : null,
    template: { hex: toHex(r.template.bytes), roles: r.template.roles, appended: r.template.appended, lines: r.template.lines },
    warnings: r.warnings,
    reader: r.reader
      ? { label: r.reader.label, model: r.reader.model, vendorId: r.reader.vendorId ?? null, productId: r.reader.productId ?? null }
      : null,
    select: r.select ? toHex(r.select) : null,
    retryProbe: { apdu: r.retryProbe.apdu ? toHex(r.retryProbe.apdu) : null, support: r.retryProbe.support, note: r.retryProbe.note },
  };
}

export interface PinPresetView {
  name: string;
  title: string;
  card: string;
  source: string;
  operations: PinOperationName[];
  /** Each operation's default fields (no reader) and template, hex. */
  defaults: Partial<
    Record<
      PinOperationName,
      { fields: Record<string, number>; apdu: string; numberMessageByDisplay: { display: number; noDisplay: number } | null }
    >
  >;
  select: string | null;
  retryProbe: RetryProbeSupport;
  retryProbeNote: string;
  notes: string[];
}

export function pinPresetView(preset: PinPreset): PinPresetView {
  const defaults: PinPresetView['defaults'] = {};
  for (const op of presetOperations(preset)) {
    const p = presetParameters(preset, op)!.parameters;
    const fields: Record<string, number> = {};
    for (const spec of pinStructureFields('pcsc', op)) if (spec.name !== 'ulDataLength') fields[spec.name] = p[spec.name];
    defaults[op] = { fields, apdu: toHex(p.apdu), numberMessageByDisplay: preset[op]!.numberMessageByDisplay ?? null };
  }
  return {
    name: preset.name,
    title: preset.title,
    card: preset.card,
    source: preset.source,
    operations: presetOperations(preset),
    defaults,
    select: preset.select,
    retryProbe: preset.retryProbe,
    retryProbeNote: preset.retryProbeNote,
    notes: [...preset.notes],
  };
}
