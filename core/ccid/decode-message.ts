/**
 * Decodes one whole CCID message (bulk OUT command, bulk IN answer or interrupt IN event) into
 * typed fields and a dissect tree. The capture layer reassembles messages and hands them here;
 * the payload of XfrBlock/DataBlock is exposed by offset+length for the iso7816 layer.
 * Never throws: malformed input gives a partial result plus problems.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { hexLiteral, toHex } from '../bytes/hex.js';
import { FieldCursor } from './field-cursor.js';
import { CCID_HEADER_LENGTH, messageTypeByCode, type CcidMessageName, type CcidPipe, type CcidResponseName } from './message-types.js';
import { decodeProtocolParameters, type ProtocolParameters } from './protocol-parameters.js';
import { decodeSecureData, type SecureRequest } from './secure.js';
import {
  CHAIN_PARAMETER_NAMES,
  CLOCK_COMMAND_NAMES,
  CLOCK_STATUS_NAMES,
  COMMAND_STATUS_NAMES,
  describeBError,
  HARDWARE_ERROR_NAMES,
  ICC_STATUS_NAMES,
  LEVEL_PARAMETER_NAMES,
  MECHANICAL_FUNCTION_NAMES,
  nameOr,
  POWER_SELECT_NAMES,
  PROTOCOL_NUM_NAMES,
} from './value-tables.js';

/** The reader's exchange level (from dwFeatures), which decides what abData carries. */
export type ExchangeLevel = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';

export interface DecodeCcidOptions {
  /** Which pipe the bytes came from; needed to read the header of an unknown message type. */
  direction?: 'out' | 'in' | 'interrupt';
  /** Absolute offset of bytes[0] in the packet the tree belongs to (default 0). */
  offset?: number;
  /** Shorthand for exchangeLevel 'tpdu': abData holds TPDUs (T=1 blocks / T=0 TPDUs), not APDUs. */
  tpduLevel?: boolean;
  exchangeLevel?: ExchangeLevel;
  /** bMessageType of the command a bulk IN message answers; 0x62 marks DataBlock data as the ATR. */
  answerTo?: number;
  /** Slots of the reader (bMaxSlotIndex + 1) to limit NotifySlotChange events; default: every bit pair present. */
  slotCount?: number;
}

export type IccStatus = 'present-active' | 'present-inactive' | 'absent' | 'rfu';
export type CommandStatus = 'ok' | 'failed' | 'time-extension' | 'rfu';

const ICC_STATUS: readonly IccStatus[] = ['present-active', 'present-inactive', 'absent', 'rfu'];
const COMMAND_STATUS: readonly CommandStatus[] = ['ok', 'failed', 'time-extension', 'rfu'];

/** bStatus split, with bError read as its bmCommandStatus says. */
export interface CcidSlotStatus {
  bStatus: number;
  bmICCStatus: number;
  iccStatus: IccStatus;
  bmCommandStatus: number;
  commandStatus: CommandStatus;
  bError: number;
  /** Spec name of the error ('ICC_MUTE', 'CMD_NOT_SUPPORTED', 'BAD_PARAMETER'…) when the command failed. */
  errorName?: string;
  errorMeaning: string;
}

export type CcidPayloadKind =
  'apdu' | 'response-apdu' | 'tpdu' | 'characters' | 'atr' | 'escape' | 'secure' | 'protocol-data' | 'clock-and-rate' | 'data';

/** abData: absolute offset and length of the bytes present (a view, no copy). */
export interface CcidPayload {
  offset: number;
  length: number;
  /** dwLength: what the header promised (length < declaredLength when truncated). */
  declaredLength: number;
  bytes: Uint8Array;
  kind: CcidPayloadKind;
}

/** Type-specific header and body values, present only for the types that have them. */
export interface CcidFields {
  bPowerSelect?: number;
  bBWI?: number;
  wLevelParameter?: number;
  bProtocolNum?: number;
  bClockCommand?: number;
  bmChanges?: number;
  bClassGetResponse?: number;
  bClassEnvelope?: number;
  bFunction?: number;
  dwClockFrequency?: number;
  dwDataRate?: number;
  bClockStatus?: number;
  bChainParameter?: number;
  bHardwareErrorCode?: number;
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
  fields: CcidFields;
  data?: CcidPayload;
  protocolParameters?: ProtocolParameters;
  secure?: SecureRequest;
  slotChanges?: SlotChangeEvent[];
  summary: string;
  /** Root 'ccid' node covering the message, header fields then body as children. */
  node: DissectNode;
  problems: Problem[];
}

export function decodeSlotStatus(bStatus: number, bError: number): CcidSlotStatus {
  const bmICCStatus = bStatus & 0x03;
  const bmCommandStatus = (bStatus >> 6) & 0x03;
  const meaning = describeBError(bError, bmCommandStatus);
  const out: CcidSlotStatus = {
    bStatus,
    bmICCStatus,
    iccStatus: ICC_STATUS[bmICCStatus]!,
    bmCommandStatus,
    commandStatus: COMMAND_STATUS[bmCommandStatus]!,
    bError,
    errorMeaning: meaning.meaning,
  };
  if (meaning.name) out.errorName = meaning.name;
  return out;
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

  if (pipe === 'interrupt-in') return decodeInterrupt(msg, c, options);

  // Common bulk header.
  const dwLength = c.u32le('dwLength');
  const bSlot = c.u8('bSlot');
  const bSeq = c.u8('bSeq');
  if (dwLength !== undefined) msg.dwLength = dwLength;
  if (bSlot !== undefined) msg.bSlot = bSlot;
  if (bSeq !== undefined) msg.bSeq = bSeq;

  if (pipe === 'bulk-in') decodeResponseHeader(msg, c);
  else decodeCommandHeader(msg, c, pipe === 'bulk-out', options.exchangeLevel ?? (options.tpduLevel ? 'tpdu' : undefined));

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
    decodeBody(msg, dataReader, dataOffset, present, declared, c, options);
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

function rfu(msg: CcidMessage, c: FieldCursor, count: number, name = 'abRFU'): void {
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

/** wLevelParameter means different things per exchange level (CCID 1.1 §6.1.4). */
function levelDisplay(v: number, level: ExchangeLevel | undefined): string {
  if (level === 'character') return `${v} (character level: size of the expected answer)`;
  if (level === 'tpdu' || level === 'short-apdu') return `${hexLiteral(v, 4)} (RFU at ${level === 'tpdu' ? 'TPDU' : 'short APDU'} level)`;
  const meaning = LEVEL_PARAMETER_NAMES[v];
  if (level === 'extended-apdu') return `${hexLiteral(v, 4)} (${meaning ?? 'RFU'})`;
  return v === 0 ? hexLiteral(v, 4) : `${hexLiteral(v, 4)}${meaning ? ` (extended APDU level: ${meaning})` : ''}`;
}

function decodeCommandHeader(msg: CcidMessage, c: FieldCursor, known: boolean, level: ExchangeLevel | undefined): void {
  const f = msg.fields;
  switch (known ? msg.bMessageType : -1) {
    case 0x62: {
      const v = c.u8('bPowerSelect', (x) => `${hexLiteral(x)} (${nameOr(POWER_SELECT_NAMES, x)})`);
      if (v !== undefined) f.bPowerSelect = v;
      rfu(msg, c, 2);
      break;
    }
    case 0x6f:
    case 0x69: {
      const bwi = c.u8('bBWI', (x) => `${x} (block waiting time × ${x === 0 ? 1 : x})`);
      const wLevel = c.u16le('wLevelParameter', (v) => levelDisplay(v, level));
      if (bwi !== undefined) f.bBWI = bwi;
      if (wLevel !== undefined) f.wLevelParameter = wLevel;
      break;
    }
    case 0x61: {
      const v = c.u8('bProtocolNum', (x) => `${hexLiteral(x)} (${nameOr(PROTOCOL_NUM_NAMES, x)})`);
      if (v !== undefined) f.bProtocolNum = v;
      rfu(msg, c, 2);
      break;
    }
    case 0x6e: {
      const v = c.u8('bClockCommand', (x) => `${hexLiteral(x)} (${nameOr(CLOCK_COMMAND_NAMES, x)})`);
      if (v !== undefined) f.bClockCommand = v;
      rfu(msg, c, 2);
      break;
    }
    case 0x6a: {
      const changes = c.u8('bmChanges', (x) => `${hexLiteral(x)} (${describeChanges(x)})`);
      const get = c.u8('bClassGetResponse', (x) => `${hexLiteral(x)}${x === 0xff ? ' (echo the APDU class)' : ''}`);
      const env = c.u8('bClassEnvelope', (x) => `${hexLiteral(x)}${x === 0xff ? ' (echo the APDU class)' : ''}`);
      if (changes !== undefined) f.bmChanges = changes;
      if (get !== undefined) f.bClassGetResponse = get;
      if (env !== undefined) f.bClassEnvelope = env;
      break;
    }
    case 0x71: {
      const v = c.u8('bFunction', (x) => `${hexLiteral(x)} (${nameOr(MECHANICAL_FUNCTION_NAMES, x)})`);
      if (v !== undefined) f.bFunction = v;
      rfu(msg, c, 2);
      break;
    }
    default:
      // IccPowerOff, GetSlotStatus, GetParameters, ResetParameters, Escape, Abort,
      // SetDataRateAndClockFrequency, and unknown bulk-OUT types: three reserved bytes.
      rfu(msg, c, 3);
  }
}

function describeChanges(x: number): string {
  const parts: string[] = [];
  if (x & 0x01) parts.push('use bClassGetResponse');
  if (x & 0x02) parts.push('use bClassEnvelope');
  return parts.length ? parts.join(', ') : 'no change';
}

function decodeResponseHeader(msg: CcidMessage, c: FieldCursor): void {
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
  const statusNode = field(
    'ccid.bStatus',
    `bStatus: ${hexLiteral(bStatus)} (${ICC_STATUS_NAMES[status.bmICCStatus]}, command ${COMMAND_STATUS_NAMES[status.bmCommandStatus]})`,
    statusOffset,
    1,
    bStatus,
    [
      field(
        'ccid.bmICCStatus',
        `bmICCStatus: ${status.bmICCStatus} (${ICC_STATUS_NAMES[status.bmICCStatus]})`,
        statusOffset,
        1,
        status.bmICCStatus,
      ),
      field(
        'ccid.bmCommandStatus',
        `bmCommandStatus: ${status.bmCommandStatus} (${COMMAND_STATUS_NAMES[status.bmCommandStatus]})`,
        statusOffset,
        1,
        status.bmCommandStatus,
      ),
    ],
  );
  if ((bStatus & 0x3c) !== 0) {
    const problem: Problem = { code: 'reserved-nonzero', message: 'bStatus bits 5-2 are not zero', severity: 'warning' };
    statusNode.problem = problem;
    msg.problems.push(problem);
  }
  c.push(statusNode);
  const errorLabel = status.errorName ? `${status.errorName}: ${status.errorMeaning}` : status.errorMeaning;
  c.push(field('ccid.bError', `bError: ${hexLiteral(bError)} (${errorLabel})`, statusOffset + 1, 1, bError));

  const f = msg.fields;
  switch (msg.bMessageType) {
    case 0x80: {
      const v = c.u8('bChainParameter', (x) => `${hexLiteral(x)} (${nameOr(CHAIN_PARAMETER_NAMES, x)})`);
      if (v !== undefined) f.bChainParameter = v;
      break;
    }
    case 0x81: {
      const v = c.u8('bClockStatus', (x) => `${hexLiteral(x)} (${nameOr(CLOCK_STATUS_NAMES, x)})`);
      if (v !== undefined) f.bClockStatus = v;
      break;
    }
    case 0x82: {
      const v = c.u8('bProtocolNum', (x) => `${hexLiteral(x)} (${nameOr(PROTOCOL_NUM_NAMES, x)})`);
      if (v !== undefined) f.bProtocolNum = v;
      break;
    }
    default:
      rfu(msg, c, 1, 'bRFU');
  }
}

// ---- bodies ----------------------------------------------------------------------------------

function payloadKind(msg: CcidMessage, options: DecodeCcidOptions): CcidPayloadKind {
  const level: ExchangeLevel | undefined = options.exchangeLevel ?? (options.tpduLevel ? 'tpdu' : undefined);
  switch (msg.bMessageType) {
    case 0x6f:
      return level === 'tpdu' ? 'tpdu' : level === 'character' ? 'characters' : 'apdu';
    case 0x80:
      if (options.answerTo === 0x62) return 'atr';
      if (options.answerTo === 0x69) return level === 'tpdu' ? 'tpdu' : 'response-apdu';
      return level === 'tpdu' ? 'tpdu' : level === 'character' ? 'characters' : 'response-apdu';
    case 0x69:
      return 'secure';
    case 0x6b:
    case 0x83:
      return 'escape';
    case 0x61:
    case 0x82:
      return 'protocol-data';
    case 0x73:
    case 0x84:
      return 'clock-and-rate';
    default:
      return 'data';
  }
}

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
  options: DecodeCcidOptions,
): void {
  const kind = payloadKind(msg, options);
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

function decodeInterrupt(msg: CcidMessage, c: FieldCursor, options: DecodeCcidOptions): CcidMessage {
  const reader = c.reader;
  if (msg.bMessageType === 0x51) {
    const slot = c.u8('bSlot');
    const seq = c.u8('bSeq');
    const code = c.u8('bHardwareErrorCode', (v) => `${hexLiteral(v)} (${nameOr(HARDWARE_ERROR_NAMES, v, 'unknown hardware error')})`);
    if (slot !== undefined) msg.bSlot = slot;
    if (seq !== undefined) msg.bSeq = seq;
    if (code !== undefined) msg.fields.bHardwareErrorCode = code;
    if (c.truncated) msg.problems.push({ code: 'truncated', message: 'RDR_to_PC_HardwareError is 4 bytes', severity: 'error' });
    trailing(msg, c);
    const what = code !== undefined ? nameOr(HARDWARE_ERROR_NAMES, code, `error ${hexLiteral(code)}`) : 'truncated';
    return finish(msg, c.nodes, `RDR_to_PC_HardwareError slot ${slot ?? '?'} seq ${seq ?? '?'}: ${what}`);
  }
  if (msg.bMessageType === 0x50) {
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
  const name = msg.name ?? `unknown message ${hexLiteral(msg.bMessageType)}`;
  const slot = msg.bSlot !== undefined ? ` slot ${msg.bSlot}` : '';
  const seq = msg.bSeq !== undefined ? ` seq ${msg.bSeq}` : '';
  return `${name}${slot}${seq}`;
}

function bodySummary(msg: CcidMessage): string {
  let s = headerSummary(msg);
  const n = msg.data?.length ?? 0;
  const declared = msg.dwLength ?? 0;
  if (declared > 0 || msg.data) {
    s += `, ${n} byte${n === 1 ? '' : 's'}`;
    if (declared > n) s += ` of ${declared}`;
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
    else if (st.iccStatus === 'present-inactive' && msg.bMessageType === 0x81) s += ', card inactive';
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
