/**
 * Decodes one whole CCID message (bulk OUT command, bulk IN answer or interrupt IN event) into
 * typed fields and a dissect tree. The capture layer reassembles messages and hands them here;
 * the payload of XfrBlock/DataBlock is exposed by offset+length for the iso7816 layer.
 * Never throws: malformed input gives a partial result plus problems.
 *
 * A little over 400 lines on purpose: one message is read in one pass (header, body or interrupt
 * layout, trailing bytes, summary) into one CcidMessage and its problem list, and the pieces
 * share that state. What varies by type is data (message-types, value-tables); bStatus/bError are
 * slot-status.ts's, the Secure body secure.ts's, the protocol data protocol-parameters.ts's.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { hexLiteral, toHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { FieldCursor } from './field-cursor.js';
import {
  CCID_HEADER_LENGTH,
  CCID_MESSAGE_CODE,
  messageTypeByCode,
  payloadKindOf,
  UNKNOWN_ANSWER_HEADER,
  UNKNOWN_COMMAND_HEADER,
  type CcidHeaderField,
  type CcidMessageName,
  type CcidMessageType,
  type CcidPayloadKind,
  type CcidPipe,
  type CcidResponseName,
  type CcidValueFieldName,
  type ExchangeLevel,
} from './message-types.js';
import { decodeProtocolParameters, type ProtocolParameters } from './protocol-parameters.js';
import { decodeSecureData, type SecureRequest } from './secure.js';
import { decodeSlotStatus, slotStatusNodes, type CcidSlotStatus } from './slot-status.js';
import { HARDWARE_ERROR_NAMES, nameOr } from './value-tables.js';

export type { CcidPayloadKind, ExchangeLevel };

export interface DecodeCcidOptions {
  /** Which pipe the bytes came from; needed to read the header of an unknown message type. */
  direction?: 'out' | 'in' | 'interrupt';
  /** Absolute offset of bytes[0] in the packet the tree belongs to (default 0). */
  offset?: number;
  /** Shorthand for exchangeLevel 'tpdu': abData holds TPDUs (T=1 blocks / T=0 TPDUs), not APDUs. */
  tpduLevel?: boolean;
  exchangeLevel?: ExchangeLevel;
  /** bMessageType of the command a bulk IN message answers (an IccPowerOn's DataBlock carries the ATR). */
  answerTo?: number;
  /** Slots of the reader (bMaxSlotIndex + 1) to limit NotifySlotChange events; default: every bit pair present. */
  slotCount?: number;
}

/** abData: absolute offset and length of the bytes present (a view, no copy). */
export interface CcidPayload {
  offset: number;
  length: number;
  /** dwLength: what the header promised (length < declaredLength when truncated). */
  declaredLength: number;
  bytes: Uint8Array;
  kind: CcidPayloadKind;
}

/**
 * The values of the fields only some message types have (their header fields, as message-types
 * lists them, and the clock/rate body), present only for the types that have them.
 */
export interface CcidTypeSpecificFields extends Partial<Record<CcidValueFieldName, number>> {
  dwClockFrequency?: number;
  dwDataRate?: number;
  /** Reserved bytes as read (abRFU / bRFU), so a viewer can show non-zero ones. */
  abRFU?: number[];
}

export interface SlotChangeEvent {
  slot: number;
  present: boolean;
  changed: boolean;
}

export interface CcidMessage {
  offset: number;
  /** Bytes of this message present in the input (header + abData present). */
  length: number;
  bMessageType: number;
  /** Spec name, undefined for an unknown type. */
  name?: CcidMessageName;
  pipe?: CcidPipe;
  /** For a command: the message type the reader must answer with. */
  expectedAnswer?: CcidResponseName;
  dwLength?: number;
  bSlot?: number;
  bSeq?: number;
  status?: CcidSlotStatus;
  fields: CcidTypeSpecificFields;
  data?: CcidPayload;
  protocolParameters?: ProtocolParameters;
  secure?: SecureRequest;
  slotChanges?: SlotChangeEvent[];
  summary: string;
  /** Root 'ccid' node covering the message, header fields then body as children. */
  node: DissectNode;
  problems: Problem[];
}

export function decodeCcidMessage(bytes: Uint8Array, options: DecodeCcidOptions = {}): CcidMessage {
  const base = options.offset ?? 0;
  const problems: Problem[] = [];
  const type = messageTypeByCode(bytes[0] ?? -1);
  const msg: CcidMessage = {
    offset: base,
    length: bytes.length,
    bMessageType: bytes[0] ?? 0,
    fields: {},
    summary: '',
    node: field('ccid', 'CCID', base, bytes.length),
    problems,
  };
  if (bytes.length === 0) {
    problems.push({ code: 'empty', message: 'no bytes', severity: 'error' });
    return finish(msg, [], 'empty CCID message');
  }
  if (type) {
    msg.name = type.name;
    msg.pipe = type.pipe;
    if (type.answer) msg.expectedAnswer = type.answer;
    const expected =
      options.direction === 'out'
        ? 'bulk-out'
        : options.direction === 'in'
          ? 'bulk-in'
          : options.direction === 'interrupt'
            ? 'interrupt-in'
            : undefined;
    if (expected && expected !== type.pipe) {
      problems.push({ code: 'wrong-direction', message: `${type.name} seen on ${expected}`, severity: 'warning' });
    }
  } else {
    problems.push({ code: 'unknown-message-type', message: `unknown bMessageType ${hexLiteral(msg.bMessageType)}`, severity: 'error' });
  }

  const pipe: CcidPipe | undefined =
    type?.pipe ??
    (options.direction === 'out'
      ? 'bulk-out'
      : options.direction === 'in'
        ? 'bulk-in'
        : options.direction === 'interrupt'
          ? 'interrupt-in'
          : undefined);
  const reader = new ByteReader(bytes, base);
  const c = new FieldCursor(reader, 'ccid');
  const typeLabel = type ? type.name : 'unknown';
  c.u8('bMessageType', (v) => `${hexLiteral(v)} (${typeLabel})`);

  if (pipe === 'interrupt-in') return decodeInterrupt(msg, c, type, options);

  // Common bulk header.
  const dwLength = c.u32le('dwLength');
  const bSlot = c.u8('bSlot');
  const bSeq = c.u8('bSeq');
  if (dwLength !== undefined) msg.dwLength = dwLength;
  if (bSlot !== undefined) msg.bSlot = bSlot;
  if (bSeq !== undefined) msg.bSeq = bSeq;

  const level = exchangeLevelOf(options);
  if (pipe === 'bulk-in') {
    decodeSlotStatusBytes(msg, c);
    decodeHeaderFields(msg, c, type?.header ?? UNKNOWN_ANSWER_HEADER, level);
  } else {
    decodeHeaderFields(msg, c, type?.header ?? UNKNOWN_COMMAND_HEADER, level);
  }

  if (c.truncated) {
    problems.push({
      code: 'short-header',
      message: `message of ${bytes.length} bytes is too short for the ${CCID_HEADER_LENGTH}-byte header (cut at ${c.truncatedAt})`,
      severity: 'error',
    });
    return finish(msg, c.nodes, headerSummary(msg));
  }

  // abData: what dwLength promises, bounded by what is there.
  const declared = dwLength!;
  const present = Math.min(declared, reader.remaining);
  if (declared > reader.remaining) {
    problems.push({
      code: 'length-beyond-message',
      message: `dwLength ${declared} but only ${reader.remaining} data byte(s) present (truncated)`,
      severity: 'error',
    });
  }
  if (type?.fixedDwLength !== undefined && declared !== type.fixedDwLength) {
    problems.push({
      code: 'unexpected-length',
      message: `${type.name} must have dwLength ${type.fixedDwLength}, has ${declared}`,
      severity: 'warning',
    });
  }
  const dataOffset = reader.absolutePosition;
  const dataReader = reader.sub(present);
  // Types that carry abData always get a payload (even empty: an XfrBlock with wLevelParameter
  // 0x0010 has none); header-only types only when they wrongly carry bytes.
  if (present > 0 || declared > 0 || (type !== undefined && type.fixedDwLength === undefined))
    decodeBody(msg, dataReader, dataOffset, present, declared, c, payloadKindOf(type, level, answeredType(options)));
  if (reader.remaining > 0) {
    const extraOffset = reader.absolutePosition;
    const extra = reader.remaining;
    reader.skip(extra);
    c.push(field('ccid.trailing', `${extra} byte(s) after dwLength`, extraOffset, extra));
    problems.push({ code: 'trailing-bytes', message: `${extra} byte(s) beyond dwLength`, severity: 'warning' });
  }
  msg.length = reader.position;
  return finish(msg, c.nodes, bodySummary(msg));
}

// ---- headers ---------------------------------------------------------------------------------

function exchangeLevelOf(options: DecodeCcidOptions): ExchangeLevel | undefined {
  return options.exchangeLevel ?? (options.tpduLevel ? 'tpdu' : undefined);
}

function answeredType(options: DecodeCcidOptions): CcidMessageType | undefined {
  return options.answerTo === undefined ? undefined : messageTypeByCode(options.answerTo);
}

/** The type's own header fields, read as its row in message-types describes them. */
function decodeHeaderFields(msg: CcidMessage, c: FieldCursor, fields: readonly CcidHeaderField[], level: ExchangeLevel | undefined): void {
  for (const f of fields) {
    if (f.name === 'abRFU' || f.name === 'bRFU') {
      rfu(msg, c, f.size, f.name);
      continue;
    }
    const show = (v: number) => showFieldValue(f, v, level);
    const value = f.size === 1 ? c.u8(f.name, show) : c.u16le(f.name, show);
    if (value === undefined) continue;
    if (f.name === 'bSlot') msg.bSlot = value;
    else if (f.name === 'bSeq') msg.bSeq = value;
    else msg.fields[f.name] = value;
  }
}

/** '0x01 (5.0 V)' from a value table, the field's own reading, or the plain number. */
function showFieldValue(f: CcidHeaderField, v: number, level: ExchangeLevel | undefined): string {
  if (f.explain) return f.explain(v, level);
  if (f.values) return `${hexLiteral(v)} (${nameOr(f.values, v, f.unknownValue)})`;
  return String(v);
}

function rfu(msg: CcidMessage, c: FieldCursor, count: number, name: 'abRFU' | 'bRFU'): void {
  const got = c.bytes(name, count, undefined);
  if (!got) return;
  const values = Array.from(got.bytes);
  msg.fields.abRFU = [...(msg.fields.abRFU ?? []), ...values];
  const node = c.nodes[c.nodes.length - 1]!;
  node.label = `${name}: ${toHex(got.bytes)}`;
  if (values.some((v) => v !== 0)) {
    const problem: Problem = { code: 'reserved-nonzero', message: `${name} is not zero (${toHex(got.bytes)})`, severity: 'warning' };
    node.problem = problem;
    msg.problems.push(problem);
  }
}

/** bStatus (split into its two bit fields) and bError, which every answer carries at bytes 7 and 8. */
function decodeSlotStatusBytes(msg: CcidMessage, c: FieldCursor): void {
  const statusOffset = c.reader.absolutePosition;
  if (c.reader.remaining < 2) {
    c.u8('bStatus');
    c.u8('bError');
    return;
  }
  const bStatus = c.reader.u8();
  const bError = c.reader.u8();
  const status = decodeSlotStatus(bStatus, bError);
  msg.status = status;
  const nodes = slotStatusNodes(status, statusOffset);
  if (nodes[0]!.problem) msg.problems.push(nodes[0]!.problem);
  for (const node of nodes) c.push(node);
}

// ---- bodies ----------------------------------------------------------------------------------

const KIND_LABEL: Record<CcidPayloadKind, string> = {
  apdu: 'command APDU',
  'response-apdu': 'response APDU',
  tpdu: 'TPDU',
  characters: 'characters',
  atr: 'ATR',
  escape: 'vendor escape data',
  secure: 'PIN operation',
  'protocol-data': 'abProtocolDataStructure',
  'clock-and-rate': 'clock frequency and data rate',
  data: 'data',
};

function decodeBody(
  msg: CcidMessage,
  data: ByteReader,
  offset: number,
  present: number,
  declared: number,
  c: FieldCursor,
  kind: CcidPayloadKind,
): void {
  msg.data = { offset, length: present, declaredLength: declared, bytes: data.bytes, kind };
  let children: DissectNode[] | undefined;

  if (kind === 'secure') {
    const decoded = decodeSecureData(data, msg.fields.wLevelParameter ?? 0);
    msg.secure = decoded.secure;
    msg.problems.push(...decoded.problems);
    children = decoded.nodes;
  } else if (kind === 'protocol-data' && msg.fields.bProtocolNum !== undefined) {
    const decoded = decodeProtocolParameters(data, msg.fields.bProtocolNum);
    if (decoded.parameters) msg.protocolParameters = decoded.parameters;
    msg.problems.push(...decoded.problems);
    children = decoded.nodes;
  } else if (kind === 'clock-and-rate') {
    const cc = new FieldCursor(data, 'ccid');
    const clock = cc.u32le('dwClockFrequency', (v) => `${v} kHz`);
    const rate = cc.u32le('dwDataRate', (v) => `${v} bps`);
    if (clock !== undefined) msg.fields.dwClockFrequency = clock;
    if (rate !== undefined) msg.fields.dwDataRate = rate;
    children = cc.nodes;
  }

  const label = `abData: ${present} byte${present === 1 ? '' : 's'} (${KIND_LABEL[kind]})`;
  const node = field('ccid.abData', label, offset, present, children ? undefined : toHex(data.bytes), children);
  if (present < declared) {
    node.problem = { code: 'length-beyond-message', message: `dwLength ${declared}, ${present} present`, severity: 'error' };
  }
  c.push(node);
}

// ---- interrupt IN ----------------------------------------------------------------------------

/** bSlot is a byte. */
const MAX_SLOTS = 256;

function decodeInterrupt(msg: CcidMessage, c: FieldCursor, type: CcidMessageType | undefined, options: DecodeCcidOptions): CcidMessage {
  const reader = c.reader;
  if (msg.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_HardwareError) {
    decodeHeaderFields(msg, c, type!.header, undefined);
    if (c.truncated) msg.problems.push({ code: 'truncated', message: 'RDR_to_PC_HardwareError is 4 bytes', severity: 'error' });
    trailing(msg, c);
    const code = msg.fields.bHardwareErrorCode;
    const what = code !== undefined ? nameOr(HARDWARE_ERROR_NAMES, code, `error ${hexLiteral(code)}`) : 'truncated';
    return finish(msg, c.nodes, `RDR_to_PC_HardwareError slot ${msg.bSlot ?? '?'} seq ${msg.bSeq ?? '?'}: ${what}`);
  }
  if (msg.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_NotifySlotChange) {
    const events: SlotChangeEvent[] = [];
    // bSlot is one byte: 256 slots fill 64 bytes of bit pairs; beyond that are trailing bytes, not slots.
    const maxBytes = Math.ceil(Math.min(options.slotCount ?? MAX_SLOTS, MAX_SLOTS) / 4);
    const count = Math.min(reader.remaining, maxBytes);
    if (count === 0) msg.problems.push({ code: 'truncated', message: 'NotifySlotChange without bmSlotICCState', severity: 'error' });
    const offset = reader.absolutePosition;
    const state = reader.bytesView(count);
    const slotNodes: DissectNode[] = [];
    for (let i = 0; i < state.length; i++) {
      for (let pair = 0; pair < 4; pair++) {
        const slot = i * 4 + pair;
        if (options.slotCount !== undefined && slot >= options.slotCount) break;
        const bits = (state[i]! >> (pair * 2)) & 0x03;
        const event: SlotChangeEvent = { slot, present: (bits & 1) !== 0, changed: (bits & 2) !== 0 };
        // Without slotCount, trailing all-zero pairs of a padding byte say nothing: keep only
        // slots that are present or changed, plus slot 0 always.
        if (options.slotCount === undefined && slot > 0 && bits === 0) continue;
        events.push(event);
        slotNodes.push(
          field(
            'ccid.slotState',
            `slot ${slot}: ${event.present ? 'card present' : 'no card'}${event.changed ? ' (changed)' : ''}`,
            offset + i,
            1,
            bits,
          ),
        );
      }
    }
    msg.slotChanges = events;
    if (count > 0) c.push(field('ccid.bmSlotICCState', `bmSlotICCState: ${toHex(state)}`, offset, count, toHex(state), slotNodes));
    trailing(msg, c);
    const text = events.map((e) => `slot ${e.slot} ${e.present ? 'present' : 'absent'}${e.changed ? ' (changed)' : ''}`).join(', ');
    return finish(msg, c.nodes, `RDR_to_PC_NotifySlotChange${text ? ': ' + text : ''}`);
  }
  // Unknown interrupt message: show the bytes.
  if (reader.remaining > 0) c.bytes('abData', reader.remaining);
  return finish(msg, c.nodes, `unknown interrupt message ${hexLiteral(msg.bMessageType)}`);
}

function trailing(msg: CcidMessage, c: FieldCursor): void {
  const reader = c.reader;
  if (reader.remaining === 0) return;
  const offset = reader.absolutePosition;
  const n = reader.remaining;
  reader.skip(n);
  c.push(field('ccid.trailing', `${n} unexpected trailing byte(s)`, offset, n));
  msg.problems.push({ code: 'trailing-bytes', message: `${n} byte(s) after the message`, severity: 'warning' });
}

// ---- summary ---------------------------------------------------------------------------------

function headerSummary(msg: CcidMessage): string {
  return ccidHeaderSummary(msg.name, msg.bMessageType, msg.bSlot, msg.bSeq);
}

function bodySummary(msg: CcidMessage): string {
  return ccidBodySummary(msg, msg.data?.length, msg.dwLength ?? 0);
}

/** What a summary line says before the body: name (or the unknown type), slot and seq when read. */
export function ccidHeaderSummary(
  name: string | undefined,
  bMessageType: number,
  bSlot: number | undefined,
  bSeq: number | undefined,
): string {
  const shown = name ?? `unknown message ${hexLiteral(bMessageType)}`;
  const slot = bSlot !== undefined ? ` slot ${bSlot}` : '';
  const seq = bSeq !== undefined ? ` seq ${bSeq}` : '';
  return `${shown}${slot}${seq}`;
}

/** The fields of a bulk message its one-line summary shows. */
export type CcidSummaryFields = Pick<CcidMessage, 'name' | 'bMessageType' | 'bSlot' | 'bSeq' | 'secure' | 'protocolParameters' | 'status'>;

/**
 * The summary line of a bulk message whose header was whole. Exported so that the trace's fast
 * path (core/trace/ccid-pairing-fields), which reads clean XfrBlock/DataBlock messages from their
 * header alone, writes exactly the line this decoder writes.
 *
 * @param dataLength abData bytes present, undefined when the message has no abData
 */
export function ccidBodySummary(msg: CcidSummaryFields, dataLength: number | undefined, dwLength: number): string {
  let s = ccidHeaderSummary(msg.name, msg.bMessageType, msg.bSlot, msg.bSeq);
  const n = dataLength ?? 0;
  if (dwLength > 0 || dataLength !== undefined) {
    s += `, ${n} byte${n === 1 ? '' : 's'}`;
    if (dwLength > n) s += ` of ${dwLength}`;
  }
  if (msg.secure) {
    const op = msg.secure.operation;
    s += `: PIN ${op}`;
    if (msg.secure.apdu) s += ` APDU ${toHex(msg.secure.apdu.bytes.subarray(0, 4))}`;
  }
  if (msg.protocolParameters) s += ` (${msg.protocolParameters.protocol})`;
  const st = msg.status;
  if (st) {
    if (st.commandStatus === 'failed') s += `: failed, bError ${hexLiteral(st.bError)} (${st.errorName ?? st.errorMeaning})`;
    else if (st.commandStatus === 'time-extension') s += `: time extension ×${st.bError}`;
    if (st.iccStatus === 'absent') s += ', no card';
    else if (st.iccStatus === 'present-inactive' && msg.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_SlotStatus) s += ', card inactive';
  }
  return s;
}

function finish(msg: CcidMessage, nodes: DissectNode[], summary: string): CcidMessage {
  msg.summary = summary;
  const worst = msg.problems.find((p) => p.severity === 'error') ?? msg.problems[0];
  msg.node = field('ccid', summary, msg.offset, msg.length, msg.bMessageType, nodes);
  if (worst) msg.node.problem = worst;
  return msg;
}
