/**
 * PC_to_RDR_Secure (0x69) abData: bPINOperation then the PIN verification or modification data
 * structure (CCID 1.1 §6.1.11). Read and written by the field-list codec of core/pcsc/pin-fields
 * (the same one PC/SC PIN_VERIFY_STRUCTURE uses, because libccid copies the fields byte for
 * byte) and checked by the same check, so a capture and the wizard agree on every byte.
 *
 * API: decodeSecureData(reader, wLevelParameter) → SecureRequest + nodes + problems (never
 * throws); encodeSecurePinData(operation, parameters) → abData; decodeSecureParameters(abData)
 * → the parameter model back; encodeSecureVerifyData / encodeSecureModifyData for the older
 * meaning-named input.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import {
  modifyFromValues,
  parametersFromInput,
  parametersFromValues,
  pinApduTemplate,
  readPinFields,
  verifyFromValues,
  writePinStructure,
  checkPinStructure,
  type PinApduTemplate,
  type PinFieldValues,
  type PinModifyFields,
  type PinModifyInput,
  type PinOperationName,
  type PinParameters,
  type PinVerifyFields,
  type PinVerifyInput,
} from '../pcsc/pin-format.js';
import { hexLiteral, toHex } from '../bytes/hex.js';
import { nameOr, PIN_OPERATION_NAMES } from './value-tables.js';

export type PinOperation = 'verify' | 'modify' | 'transfer-pin' | 'wait-icc-response' | 'cancel' | 'resend-i-block' | 'send-next-apdu-part';

const OPERATIONS: readonly PinOperation[] = [
  'verify',
  'modify',
  'transfer-pin',
  'wait-icc-response',
  'cancel',
  'resend-i-block',
  'send-next-apdu-part',
];

export interface SecureRequest {
  /** 'continuation' when wLevelParameter says abData continues an earlier Secure (no bPINOperation). */
  operation: PinOperation | 'unknown' | 'continuation';
  bPINOperation?: number;
  verify?: PinVerifyFields;
  modify?: PinModifyFields;
  /** The APDU template (verify/modify). */
  apdu?: PinApduTemplate;
  /** Bytes after bPINOperation for the other operations, or the continuation bytes. */
  rest?: { offset: number; length: number };
}

export interface SecureDecode {
  secure: SecureRequest;
  nodes: DissectNode[];
  problems: Problem[];
  /** The parameter model of a complete verify/modify (what the wizard would need to rebuild it). */
  parameters?: PinParameters;
}

const PREFIX = 'ccid.secure';

/** wLevelParameter values for which abData starts with bPINOperation. */
function startsWithOperation(wLevelParameter: number): boolean {
  return wLevelParameter === 0x0000 || wLevelParameter === 0x0001;
}

/** Decodes abData (the reader covers exactly the abData bytes present). Never throws. */
export function decodeSecureData(reader: ByteReader, wLevelParameter = 0): SecureDecode {
  const nodes: DissectNode[] = [];
  const problems: Problem[] = [];
  if (!startsWithOperation(wLevelParameter)) {
    const offset = reader.absolutePosition;
    const length = reader.remaining;
    reader.skip(length);
    nodes.push(field(`${PREFIX}.continuation`, `abData continues an earlier Secure: ${length} bytes`, offset, length));
    return { secure: { operation: 'continuation', rest: { offset, length } }, nodes, problems };
  }
  if (reader.remaining < 1) {
    problems.push({ code: 'truncated', message: 'Secure without bPINOperation', severity: 'error' });
    return { secure: { operation: 'unknown' }, nodes, problems };
  }
  const start = reader.absolutePosition;
  const totalLength = reader.remaining;
  const op = reader.u8();
  const operation = OPERATIONS[op] ?? 'unknown';
  nodes.push(field(`${PREFIX}.bPINOperation`, `bPINOperation: ${hexLiteral(op)} (${nameOr(PIN_OPERATION_NAMES, op)})`, start, 1, op));
  const secure: SecureRequest = { operation, bPINOperation: op };
  if (operation === 'unknown')
    problems.push({ code: 'unknown-pin-operation', message: `bPINOperation ${hexLiteral(op)} is RFU`, severity: 'warning' });

  if (operation === 'verify' || operation === 'modify') {
    const structureOffset = reader.absolutePosition;
    const read = readPinFields(reader, 'ccid', operation, PREFIX);
    const structureNodes = read.nodes;
    let parameters: PinParameters | undefined;
    if (read.truncatedAt) {
      problems.push(
        ...checkPinStructure({ format: 'ccid', operation, values: read.values, truncatedAt: read.truncatedAt, totalLength, apduLength: 0 }),
      );
    } else {
      const apdu = addApdu(reader, secure, operation, read.values, structureNodes);
      problems.push(
        ...checkPinStructure({
          format: 'ccid',
          operation,
          values: read.values,
          totalLength,
          apduLength: apdu.length,
          template: secure.apdu!,
        }),
      );
      parameters = parametersFromValues(read.values, apdu.slice());
    }
    const end = reader.absolutePosition;
    nodes.push(
      field(
        `${PREFIX}.abPINDataStructure`,
        `abPINDataStructure: PIN ${operation === 'verify' ? 'verification' : 'modification'} data structure`,
        structureOffset,
        end - structureOffset,
        undefined,
        structureNodes,
      ),
    );
    return parameters ? { secure, nodes, problems, parameters } : { secure, nodes, problems };
  }

  if (reader.remaining > 0) {
    const offset = reader.absolutePosition;
    const length = reader.remaining;
    const bytes = reader.bytesView(length);
    secure.rest = { offset, length };
    const what = operation === 'send-next-apdu-part' ? 'next part of the APDU' : 'abPINDataStructure';
    nodes.push(field(`${PREFIX}.abData`, `${what}: ${length} bytes`, offset, length, toHex(bytes)));
  }
  return { secure, nodes, problems };
}

function addApdu(
  reader: ByteReader,
  secure: SecureRequest,
  operation: PinOperationName,
  values: PinFieldValues,
  nodes: DissectNode[],
): Uint8Array {
  const offset = reader.absolutePosition;
  const bytes = reader.bytesView(reader.remaining);
  if (operation === 'verify') {
    secure.verify = verifyFromValues(values);
    const { template, node } = pinApduTemplate(PREFIX, offset, bytes, secure.verify);
    secure.apdu = template;
    nodes.push(node);
  } else {
    const fields = modifyFromValues(values);
    secure.modify = fields;
    const { template, node } = pinApduTemplate(PREFIX, offset, bytes, fields, {
      bInsertionOffsetOld: fields.bInsertionOffsetOld,
      bInsertionOffsetNew: fields.bInsertionOffsetNew,
      currentPinRequested: fields.bConfirmPIN.currentPinRequested,
    });
    secure.apdu = template;
    nodes.push(node);
  }
  return bytes;
}

/** Decodes a Secure abData back to the parameter model; undefined when it is not a complete verify/modify. */
export function decodeSecureParameters(
  abData: Uint8Array,
): { operation: PinOperationName; parameters: PinParameters; problems: Problem[] } | undefined {
  const decoded = decodeSecureData(new ByteReader(abData));
  const op = decoded.secure.operation;
  if ((op !== 'verify' && op !== 'modify') || !decoded.parameters) return undefined;
  return { operation: op, parameters: decoded.parameters, problems: decoded.problems };
}

// ---- building abData --------------------------------------------------------------------------

/** abData of a PIN verification or modification Secure, from the parameter model. */
export function encodeSecurePinData(operation: PinOperationName, parameters: PinParameters): Uint8Array {
  return writePinStructure('ccid', operation, parameters);
}

/** abData of a PIN verification Secure: bPINOperation 00 + structure + APDU. */
export function encodeSecureVerifyData(i: PinVerifyInput): Uint8Array {
  return writePinStructure('ccid', 'verify', parametersFromInput(i));
}

/** abData of a PIN modification Secure; bMsgIndex2/3 are written only when bNumberMessage asks. */
export function encodeSecureModifyData(i: PinModifyInput): Uint8Array {
  return writePinStructure('ccid', 'modify', parametersFromInput(i));
}
