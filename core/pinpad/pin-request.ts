/**
 * From (preset, operation, settings, reader) to everything the wizard previews and the backend
 * sends: the final parameters, the PC/SC PIN_VERIFY/MODIFY_STRUCTURE bytes, the CCID Secure
 * abData (and the whole message), what libccid would really send to this reader model, the
 * field-by-field decode trees (built by decoding the bytes just written: one code path builds
 * and decodes), the APDU template with every byte's role, the warnings, the application SELECT
 * and the retry-counter probe.
 *
 * Order: preset values → what the reader says (display → bNumberMessage, bMin/MaxPINSize narrow
 * wPINMaxExtraDigit, as OpenSC does) → the user's settings, which always win.
 *
 * API: buildPinRequest(input) → PinRequest; throws PinParameterError (unknown preset, operation
 * the preset lacks, a setting the operation does not carry).
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { decodeCcidMessage } from '../ccid/decode-message.js';
import { encodeSecure } from '../ccid/encode-message.js';
import { secureDataFromParameters } from '../ccid/secure-from-pcsc.js';
import { decodeSecureData } from '../ccid/secure.js';
import type { DissectNode, Problem } from '../dissect/node.js';
import {
  decodeConfirmPin,
  decodeFormatString,
  decodePinBlockString,
  decodePinLengthFormat,
  decodePinMaxExtraDigit,
  encodePinMaxExtraDigit,
  markApduTemplate,
  type MarkedApduTemplate,
  type PinOperationName,
  type PinParameters,
} from '../pcsc/pin-format.js';
import { decodePinStructure, encodePinStructure } from '../pcsc/pin-structures.js';
import { libccidSecureData, type LibccidWire } from './libccid-wire.js';
import { applyParameterSettings, PinParameterError, type PinParameterSetting } from './parameters.js';
import {
  findPreset,
  PIN_PRESET_NAMES,
  presetOperations,
  presetParameters,
  presetSelect,
  type PinPreset,
  type RetryProbeSupport,
} from './presets.js';
import type { PinpadCapabilities } from './reader-capabilities.js';
import { identifyReader, type KnownReader, type ReaderIdentity } from './reader-models.js';
import { pinWarnings, type PinWarning } from './warnings.js';

export interface PinRequestInput {
  /** A preset name (PIN_PRESET_NAMES) or a preset row. */
  preset: string | PinPreset;
  operation: PinOperationName;
  /** Parsed settings (parseParameterSetting / settingsFromRecord), applied last. */
  settings?: readonly PinParameterSetting[];
  /** What the reader offers; absent for a dry run without a reader. */
  capabilities?: PinpadCapabilities | null;
  /** The reader's identity when no capabilities are known (a name or VID:PID). */
  reader?: ReaderIdentity;
}

/** A value the reader's answers changed before the user's settings. */
export interface PinAdjustment {
  field: string;
  from: number;
  to: number;
  why: string;
  source: string;
}

export interface PinRequest {
  preset: PinPreset;
  operation: PinOperationName;
  parameters: PinParameters;
  settings: PinParameterSetting[];
  adjustments: PinAdjustment[];
  /** SCardControl(VERIFY/MODIFY_PIN_DIRECT) input. */
  pcsc: { bytes: Uint8Array; nodes: DissectNode[]; problems: Problem[] };
  /** PC_to_RDR_Secure: abData (bPINOperation + abPINDataStructure) and the message for slot 0, bSeq 0. */
  ccid: { abData?: Uint8Array; message?: Uint8Array; nodes: DissectNode[]; problems: Problem[] };
  /** What libccid sends this reader model when it differs from the generic conversion (null: same or unknown reader). */
  libccid: LibccidWire | null;
  template: MarkedApduTemplate & { bytes: Uint8Array };
  warnings: PinWarning[];
  reader: KnownReader | null;
  /** The SELECT to send first (null: none for this preset). */
  select: Uint8Array | null;
  /** VERIFY without data for the PIN's reference, and whether the card answers it safely. */
  retryProbe: { apdu: Uint8Array | null; support: RetryProbeSupport; note: string };
}

const OPENSC_MIN_MAX = 'OpenSC reader-pcsc.c part10_check_pin_min_max; GnuPG scd/apdu.c check_pcsc_pinpad';

export function resolvePreset(preset: string | PinPreset, operation: PinOperationName): PinPreset {
  const row = typeof preset === 'string' ? findPreset(preset) : preset;
  if (!row) {
    const name = typeof preset === 'string' ? preset.slice(0, 40) : '';
    throw new PinParameterError(`unknown preset "${name}"; presets: ${PIN_PRESET_NAMES.join(', ')}`, 'preset');
  }
  if (!row[operation]) {
    throw new PinParameterError(`preset ${row.name} has no PIN ${operation} (it offers: ${presetOperations(row).join(', ')})`, 'operation');
  }
  return row;
}

function readerAdjusted(p: PinParameters, caps: PinpadCapabilities | null | undefined, adjustments: PinAdjustment[]): PinParameters {
  if (!caps) return p;
  const digits = decodePinMaxExtraDigit(p.wPINMaxExtraDigit);
  let { min, max } = digits;
  if (caps.minPin !== null && caps.minPin > min) min = caps.minPin;
  if (caps.maxPin !== null && caps.maxPin > 0 && caps.maxPin < max) max = caps.maxPin;
  if (min > max || (min === digits.min && max === digits.max)) return p;
  const to = encodePinMaxExtraDigit(min, max);
  adjustments.push({
    field: 'wPINMaxExtraDigit',
    from: p.wPINMaxExtraDigit,
    to,
    why: `the reader accepts ${caps.minPin ?? '?'} to ${caps.maxPin ?? '?'} digits (bMinPINSize/bMaxPINSize)`,
    source: OPENSC_MIN_MAX,
  });
  return { ...p, wPINMaxExtraDigit: to };
}

function probeFor(preset: PinPreset, apdu: Uint8Array): PinRequest['retryProbe'] {
  if (apdu.length < 4 || preset.retryProbe === 'unsupported')
    return { apdu: null, support: preset.retryProbe, note: preset.retryProbeNote };
  return { apdu: Uint8Array.of(apdu[0]!, 0x20, 0x00, apdu[3]!), support: preset.retryProbe, note: preset.retryProbeNote };
}

export function buildPinRequest(input: PinRequestInput): PinRequest {
  const { operation } = input;
  const preset = resolvePreset(input.preset, operation);
  const caps = input.capabilities ?? null;
  const display = caps ? caps.lcd !== null : null;
  const base = presetParameters(preset, operation, { display })!;
  const adjustments: PinAdjustment[] = [];
  if (base.numberMessageRule && display) {
    adjustments.push({
      field: 'bNumberMessage',
      from: preset[operation]!.numberMessageByDisplay!.noDisplay,
      to: base.numberMessageRule.value,
      why: 'the reader has a display: ask for its messages',
      source: 'OpenSC reader-pcsc.c part10_build_verify_pin_block (SC_READER_CAP_DISPLAY)',
    });
  }
  const settings = [...(input.settings ?? [])];
  const parameters = applyParameterSettings(readerAdjusted(base.parameters, caps, adjustments), operation, settings);
  // A setting the user made wins over the reader: drop adjustments it overrode.
  const overridden = new Set(settings.map((s) => s.name));
  const keptAdjustments = adjustments.filter((a) => !overridden.has(a.field as PinParameterSetting['name']));

  const pcscBytes = encodePinStructure(operation, parameters);
  const pcscDecode = decodePinStructure(operation, pcscBytes);
  const conversion = secureDataFromParameters(operation, parameters);
  const ccid: PinRequest['ccid'] = { nodes: [], problems: [...conversion.problems] };
  if (conversion.data && parameters.apdu.length >= 4) {
    ccid.abData = conversion.data;
    ccid.message = encodeSecure({ slot: 0, seq: 0, data: conversion.data });
    const decoded = decodeCcidMessage(ccid.message, { direction: 'out' });
    ccid.nodes = [decoded.node];
    ccid.problems.push(...decodeSecureData(new ByteReader(conversion.data)).problems);
  } else {
    ccid.problems.push(...pcscDecode.problems.filter((p) => p.severity === 'error'));
  }

  const identity = caps?.identity ?? input.reader;
  const reader = caps?.known ?? (identity ? identifyReader(identity) : null);
  let libccid: LibccidWire | null = null;
  if (reader) {
    const wire = libccidSecureData(operation, parameters, reader);
    const same = wire.data && ccid.abData && wire.data.length === ccid.abData.length && wire.data.every((b, i) => b === ccid.abData![i]);
    if (!same || wire.before.length > 0) libccid = wire;
  }

  const confirm = decodeConfirmPin(parameters.bConfirmPIN);
  const marked = markApduTemplate(parameters.apdu, {
    bmFormatString: decodeFormatString(parameters.bmFormatString),
    bmPINBlockString: decodePinBlockString(parameters.bmPINBlockString),
    bmPINLengthFormat: decodePinLengthFormat(parameters.bmPINLengthFormat),
    maxDigits: decodePinMaxExtraDigit(parameters.wPINMaxExtraDigit).max,
    ...(operation === 'modify'
      ? {
          modify: {
            bInsertionOffsetOld: parameters.bInsertionOffsetOld,
            bInsertionOffsetNew: parameters.bInsertionOffsetNew,
            currentPinRequested: confirm.currentPinRequested,
          },
        }
      : {}),
  });

  return {
    preset,
    operation,
    parameters,
    settings,
    adjustments: keptAdjustments,
    pcsc: { bytes: pcscBytes, nodes: [pcscDecode.node], problems: pcscDecode.problems },
    ccid,
    libccid,
    template: { ...marked, bytes: parameters.apdu },
    warnings: pinWarnings({ operation, parameters, preset, reader, capabilities: caps }),
    reader,
    select: presetSelect(preset),
    retryProbe: probeFor(preset, parameters.apdu),
  };
}
