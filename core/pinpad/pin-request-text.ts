/**
 * The readable form of a PIN request and its outcome, for `cardbench pin` and anything else that
 * prints: every field with its offset, bytes and explanation (read from the decode tree, so the
 * text says what the decoder says), the PC/SC and CCID bytes, what libccid would send instead,
 * the template with the PIN's bytes marked under it, warnings with their sources.
 *
 * API: pinRequestText(view) → lines; templateMarkerLine(roles) → the marker line alone;
 * pinOutcomeText(outcome) → lines.
 */
import { intHex } from '../bytes/hex.js';
import type { DissectNode } from '../dissect/node.js';
import type { TemplateByteRole } from '../pcsc/pin-format.js';
import type { PinpadOutcome } from './pin-outcome.js';
import type { PinRequestView } from './pin-request-view.js';

const spaced = (hex: string) => hex.replace(/(..)(?=.)/g, '$1 ');

const MARKS: Record<TemplateByteRole, string> = {
  cla: '  ',
  ins: '  ',
  p1: '  ',
  p2: '  ',
  lc: '  ',
  data: '  ',
  pin: '**',
  'pin-block': '..',
  'pin-length': 'LL',
  'new-pin': '++',
  'new-pin-block': '::',
  'new-pin-length': 'll',
};

/** A line to print under the spaced template hex: ** digits, .. fillers, LL length (new PIN: ++ :: ll). */
export function templateMarkerLine(roles: readonly TemplateByteRole[]): string {
  return roles
    .map((r) => MARKS[r])
    .join(' ')
    .trimEnd();
}

function fieldLines(tree: readonly DissectNode[], base: number): string[] {
  const structure = tree[0];
  if (!structure?.children) return [];
  const width = Math.max(...structure.children.map((n) => n.label.split(':')[0]!.length));
  return structure.children.map((node) => {
    const name = node.label.split(':')[0]!;
    const rest = node.label.slice(name.length + 1).trim();
    const explanation = node.children?.filter((c) => c.id.endsWith('.explain')).map((c) => c.label) ?? [];
    const detail = explanation.length ? `${rest}  ${explanation.join('; ')}` : rest;
    return `  [${String(node.offset - base).padStart(2)}] ${name.padEnd(width)}  ${detail}`;
  });
}

export function pinRequestText(v: PinRequestView): string[] {
  const lines: string[] = [];
  const title = v.operation === 'verify' ? 'PIN_VERIFY_STRUCTURE' : 'PIN_MODIFY_STRUCTURE';
  lines.push(`Preset ${v.preset}: ${v.presetTitle} — PIN ${v.operation}`);
  if (v.reader) lines.push(`Reader model: ${v.reader.label}`);
  for (const a of v.adjustments) lines.push(`Adjusted for the reader: ${a.field} ${intHex(a.from)} → ${intHex(a.to)} (${a.why})`);
  lines.push(v.select ? `SELECT first: ${spaced(v.select)}` : 'SELECT first: none for this preset');
  lines.push(`${title} (PC/SC part 10, SCardControl input), ${v.pcsc.hex.length / 2} bytes:`);
  lines.push(...fieldLines(v.pcsc.tree, 0));
  lines.push(`  bytes: ${spaced(v.pcsc.hex)}`);
  if (v.ccid.abDataHex) {
    lines.push(`PC_to_RDR_Secure abData (bPINOperation + abPINDataStructure), ${v.ccid.abDataHex.length / 2} bytes:`);
    lines.push(`  bytes: ${spaced(v.ccid.abDataHex)}`);
  } else {
    lines.push('PC_to_RDR_Secure: not built (the structure would be refused)');
  }
  if (v.libccid) {
    lines.push(v.libccid.abDataHex ? `libccid sends this reader instead: ${spaced(v.libccid.abDataHex)}` : 'libccid refuses this request');
    for (const r of v.libccid.rewrites) lines.push(`  ${r.field}: ${intHex(r.from)} → ${intHex(r.to)}, ${r.why} (${r.source})`);
    for (const b of v.libccid.before) lines.push(`  first: escape ${spaced(b.escapeHex)}, ${b.description} (${b.source})`);
  }
  lines.push('APDU template:');
  lines.push(`  ${spaced(v.template.hex)}`);
  const markers = templateMarkerLine(v.template.roles);
  if (markers.trim()) lines.push(`  ${markers}`);
  for (const line of v.template.lines) lines.push(`  ${line}`);
  if (markers.trim()) lines.push('  (** PIN digits  .. fillers  LL PIN length; new PIN: ++ :: ll)');
  for (const p of [...v.pcsc.problems, ...v.ccid.problems]) lines.push(`Problem (${p.severity}): ${p.message}`);
  if (v.warnings.length) {
    lines.push('Warnings:');
    for (const w of v.warnings) lines.push(`  ${w.severity.padEnd(7)} ${w.field ? `[${w.field}] ` : ''}${w.message} (${w.source})`);
  }
  return lines;
}

export function pinOutcomeText(o: PinpadOutcome): string[] {
  const sw = o.sw === undefined ? '' : ` (SW ${intHex(o.sw, 4)})`;
  const lines = [`Outcome: ${o.title}${sw}`, `  ${o.detail}`];
  if (o.triesLeft !== undefined) lines.push(`  Tries left: ${o.triesLeft}`);
  return lines;
}
