/**
 * PC/SC part 10 PIN_VERIFY_STRUCTURE and PIN_MODIFY_STRUCTURE (the SCardControl input of
 * FEATURE_VERIFY_PIN_DIRECT / FEATURE_MODIFY_PIN_DIRECT): packed, little-endian, ending with
 * ulDataLength and the APDU template. Built and decoded by the one field-list codec of
 * pin-fields (the CCID Secure uses the same one) and checked by the one check.
 *
 * API: decodePinVerifyStructure / decodePinModifyStructure(bytes, offset) → typed structure,
 * decode node, problems (never throws); encodePinStructure(operation, parameters) → bytes;
 * decodePinStructureParameters(operation, bytes) → the parameter model back (wizard round trip).
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import type { PinOperationName } from './pin-bit-fields.js';
import {
  modifyFromValues,
  parametersFromInput,
  parametersFromValues,
  verifyFromValues,
  type PinModifyFields,
  type PinModifyInput,
  type PinVerifyFields,
  type PinVerifyInput,
} from './pin-field-values.js';
import { pinStructureHeaderLength, readPinFields, writePinStructure, type PinParameters } from './pin-fields.js';
import { pinApduTemplate, type PinApduTemplate } from './pin-placement.js';
import { checkPinStructure, pinStructureTitle } from './pin-structure-check.js';

export interface PinVerifyStructure extends PinVerifyFields {
  bTimeOut2: number;
  ulDataLength: number;
  apdu: PinApduTemplate;
}

export interface PinModifyStructure extends PinModifyFields {
  bTimeOut2: number;
  ulDataLength: number;
  /** Always present in PC/SC (CCID may drop them). */
  bMsgIndex2: number;
  bMsgIndex3: number;
  apdu: PinApduTemplate;
}

export interface PinStructureDecode<T> {
  /** Present when the fixed part was complete (the APDU may still be inconsistent: see problems). */
  structure?: T;
  /** The parameter model, present with `structure`. */
  parameters?: PinParameters;
  node: DissectNode;
  problems: Problem[];
}

/** Fixed part sizes: the APDU follows ulDataLength. */
export const PIN_VERIFY_HEADER_LENGTH = pinStructureHeaderLength('pcsc', 'verify');
export const PIN_MODIFY_HEADER_LENGTH = pinStructureHeaderLength('pcsc', 'modify');

export function decodePinVerifyStructure(bytes: Uint8Array, offset = 0): PinStructureDecode<PinVerifyStructure> {
  return decodeStructure(bytes, offset, 'verify');
}

export function decodePinModifyStructure(bytes: Uint8Array, offset = 0): PinStructureDecode<PinModifyStructure> {
  return decodeStructure(bytes, offset, 'modify');
}

export function decodePinStructure(
  operation: PinOperationName,
  bytes: Uint8Array,
  offset = 0,
): PinStructureDecode<PinVerifyStructure | PinModifyStructure> {
  return decodeStructure(bytes, offset, operation);
}

function decodeStructure<T extends PinVerifyStructure | PinModifyStructure>(
  bytes: Uint8Array,
  offset: number,
  operation: PinOperationName,
): PinStructureDecode<T> {
  const prefix = operation === 'verify' ? 'pcsc.pinVerify' : 'pcsc.pinModify';
  const reader = new ByteReader(bytes, offset);
  const read = readPinFields(reader, 'pcsc', operation, prefix);
  const nodes = read.nodes;
  const apduOffset = reader.absolutePosition;
  const apduBytes = read.truncatedAt ? new Uint8Array(0) : reader.bytesView(reader.remaining);
  let structure: PinVerifyStructure | PinModifyStructure | undefined;
  if (!read.truncatedAt) {
    const bTimeOut2 = read.values.bTimerOut2 ?? 0;
    const ulDataLength = read.values.ulDataLength ?? 0;
    if (operation === 'verify') {
      const fields = verifyFromValues(read.values);
      const { template, node } = pinApduTemplate(prefix, apduOffset, apduBytes, fields);
      nodes.push(node);
      structure = { ...fields, bTimeOut2, ulDataLength, apdu: template };
    } else {
      const fields = modifyFromValues(read.values);
      const { template, node } = pinApduTemplate(prefix, apduOffset, apduBytes, fields, {
        bInsertionOffsetOld: fields.bInsertionOffsetOld,
        bInsertionOffsetNew: fields.bInsertionOffsetNew,
        currentPinRequested: fields.bConfirmPIN.currentPinRequested,
      });
      nodes.push(node);
      structure = {
        ...fields,
        bMsgIndex2: fields.bMsgIndex2 ?? 0,
        bMsgIndex3: fields.bMsgIndex3 ?? 0,
        bTimeOut2,
        ulDataLength,
        apdu: template,
      };
    }
  }
  const check = {
    format: 'pcsc' as const,
    operation,
    values: read.values,
    totalLength: bytes.length,
    apduLength: apduBytes.length,
  };
  const problems = checkPinStructure({
    ...check,
    ...(read.truncatedAt ? { truncatedAt: read.truncatedAt } : {}),
    ...(structure ? { template: structure.apdu } : {}),
  });
  const node = field(prefix, pinStructureTitle('pcsc', operation), offset, bytes.length, undefined, nodes);
  const worst = problems.find((p) => p.severity === 'error') ?? problems[0];
  if (worst) node.problem = worst;
  if (!structure) return { node, problems };
  return { structure: structure as T, parameters: parametersFromValues(read.values, apduBytes.slice()), node, problems };
}

/** Builds PIN_VERIFY_STRUCTURE or PIN_MODIFY_STRUCTURE from the parameter model (ulDataLength = APDU length). */
export function encodePinStructure(operation: PinOperationName, parameters: PinParameters): Uint8Array {
  return writePinStructure('pcsc', operation, parameters);
}

/** Builds PIN_VERIFY_STRUCTURE from the older meaning-named input. */
export function encodePinVerifyStructure(i: PinVerifyInput & { timeOut2?: number }): Uint8Array {
  return writePinStructure('pcsc', 'verify', parametersFromInput(i, i.timeOut2 ?? 0));
}

/** Builds PIN_MODIFY_STRUCTURE (all three bMsgIndex bytes, as PC/SC requires). */
export function encodePinModifyStructure(i: PinModifyInput & { timeOut2?: number }): Uint8Array {
  return writePinStructure('pcsc', 'modify', parametersFromInput(i, i.timeOut2 ?? 0));
}
