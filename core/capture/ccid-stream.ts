/**
 * Finds the CCID endpoints of each device and rebuilds whole CCID messages from bulk transfers.
 *
 * Finding the endpoints:
 *  - from descriptors: an interface with a CCID functional descriptor (usb-descriptors.ts)
 *    names its bulk-IN, bulk-OUT and interrupt-IN endpoints;
 *  - without descriptors (a capture started after enumeration), by a heuristic: a bulk-OUT
 *    transfer that looks like a PC_to_RDR header (a command type of ccid/message-types,
 *    bSlot ≤ 15, dwLength = length − 10, or a longer message whose first part fills whole
 *    packets) is a candidate; it is confirmed when a bulk-IN transfer of the same device looks
 *    like an RDR_to_PC header (an answer type) with the same bSlot and bSeq. Candidates (and
 *    the bulk-OUT transfers after them, a bounded few) are kept as copies and replayed on
 *    confirmation, so the first command is not lost.
 *
 * Reassembly (ccid-message-assembler.ts): a message is 10 + dwLength bytes; transfers are
 * appended until that many bytes went over the bus (host side: several bulk-IN URBs; device
 * side: 64-byte packets, then a zero-length packet after an exact multiple, which is ignored
 * between messages). A length above the cap (dwMaxCCIDMessageLength when the descriptor gives
 * one, else 65536 + 10) is reported as 'length-beyond-limit' and the stream resynchronises on
 * the next transfer.
 *
 * Memory: a reassembly buffer is sized from dwLength, so the cap is never larger than the CCID
 * maximum (65,544 + 10) whatever a descriptor claims, and the bytes kept for detection are
 * bounded per device and in the number of devices.
 */
import { hexLiteral } from '../bytes/hex.js';
import { ByteSlab } from '../bytes/byte-slab.js';
import { CCID_MAX_MESSAGE_LENGTH, usableMessageLength } from '../ccid/class-descriptor.js';
import { CCID_HEADER_LENGTH, dwLengthOf, messageCodesOn } from '../ccid/message-types.js';
import { CcidMessageAssembler } from './ccid-message-assembler.js';
import type { Problem } from '../dissect/node.js';
import type { CaptureProblem } from './capture-types.js';
import type { UsbDeviceRegistry } from './usb-devices.js';
import type { TransferSlice, UsbTransfer } from './usb-transfers.js';

export const PC_TO_RDR_TYPES = messageCodesOn('bulk-out');
export const RDR_TO_PC_TYPES = messageCodesOn('bulk-in');
export const CCID_INTERRUPT_TYPES = messageCodesOn('interrupt-in');

export const DEFAULT_MAX_CCID_MESSAGE = 65536 + CCID_HEADER_LENGTH;

export type CcidDirection = 'out' | 'in';
export type CcidDetection = 'descriptor' | 'heuristic';

export interface CcidFrame {
  /** Device identity key ("1.2", "1.2#2"). */
  device: string;
  /** out = PC_to_RDR (bulk-OUT); in = RDR_to_PC (bulk-IN or interrupt-IN). */
  direction: CcidDirection;
  channel: 'bulk' | 'interrupt';
  endpoint: number;
  /** Frames of the transfers that made this message, in order. */
  frames: number[];
  firstFrame: number;
  lastFrame: number;
  /** Time of the first transfer (ns since frame 1); endTimeNs of the last. */
  timeNs: number;
  endTimeNs: number;
  /** The whole message (an owned copy). Shorter than expectedLength when cut or incomplete. */
  bytes: Uint8Array;
  /** 10 + dwLength for bulk messages with a header; undefined otherwise. */
  expectedLength: number | undefined;
  /** Some bytes were not captured (snapshot length), as opposed to never sent. */
  truncated: boolean;
  problems: Problem[];
  detection: CcidDetection;
}

export interface CcidEndpoints {
  device: string;
  detection: CcidDetection;
  bulkOut?: number;
  bulkIn?: number;
  interruptIn?: number;
  maxMessageLength: number;
  /** The raw functional descriptor when found through descriptors. */
  descriptor?: Uint8Array;
}

export interface CcidStreamOptions {
  /** Use descriptors to find CCID endpoints (default true). */
  useDescriptors?: boolean;
  /** Detect CCID endpoints from traffic when descriptors do not say (default true). */
  useHeuristic?: boolean;
  /** Cap when dwMaxCCIDMessageLength is unknown (default 65546). */
  defaultMaxMessageLength?: number;
}

const MAX_CANDIDATES = 16;
/** Devices whose first plausible command is kept while waiting for an answer (the oldest give way). */
const MAX_CANDIDATE_DEVICES = 64;

interface DeviceState {
  endpoints: CcidEndpoints;
  out: CcidMessageAssembler;
  in: CcidMessageAssembler;
}

/** A device replaced at its address by a new identity: its endpoints stay known (the report lists them), its assemblers are gone. */
interface RetiredDevice {
  endpoints: CcidEndpoints;
  out?: undefined;
  in?: undefined;
}

export class CcidStreamAssembler {
  private readonly states = new Map<string, DeviceState | RetiredDevice>();
  private readonly candidates = new Map<string, TransferSlice[]>();
  /** One slab for the messages of every device (see ByteSlab). */
  private readonly slab = new ByteSlab();
  private readonly options: Required<CcidStreamOptions>;

  constructor(
    private readonly devices: UsbDeviceRegistry,
    private readonly emit: (frame: CcidFrame) => void,
    options: CcidStreamOptions = {},
    private readonly problem: (problem: CaptureProblem) => void = () => {},
  ) {
    this.options = {
      useDescriptors: options.useDescriptors ?? true,
      useHeuristic: options.useHeuristic ?? true,
      defaultMaxMessageLength: usableMessageLength(options.defaultMaxMessageLength ?? DEFAULT_MAX_CCID_MESSAGE),
    };
    devices.onRetired((device) => this.retire(device.key));
  }

  /** A device re-enumerated: a message it left half-sent is delivered as it is, and its assemblers are let go. */
  private retire(key: string): void {
    this.candidates.delete(key);
    const state = this.states.get(key);
    if (!state?.out) return;
    state.out.flush('the device was re-enumerated inside this message');
    state.in.flush('the device was re-enumerated inside this message');
    // The endpoints stay for the device list, unless nobody will list the devices.
    if (this.devices.forgetsRetired) this.states.delete(key);
    else this.states.set(key, { endpoints: state.endpoints });
  }

  /** The CCID endpoints found so far, one entry per device. */
  get readers(): CcidEndpoints[] {
    const out: CcidEndpoints[] = [];
    for (const state of this.states.values()) out.push(state.endpoints);
    return out;
  }

  transfer(t: UsbTransfer): void {
    if (t.type !== 'bulk' && t.type !== 'interrupt') return;
    let state = this.states.get(t.device);
    if (state === undefined) {
      state = this.fromDescriptors(t.device);
      if (state) this.states.set(t.device, state);
    }
    if (!state) {
      if (this.options.useHeuristic && t.type === 'bulk') this.detect(t);
      return;
    }
    this.route(state, t);
  }

  end(): void {
    for (const state of this.states.values()) {
      state.out?.flush('capture ended inside this message');
      state.in?.flush('capture ended inside this message');
    }
  }

  private route(state: DeviceState | RetiredDevice, t: UsbTransfer): void {
    // A transfer that completes after its device was re-enumerated has nobody left to take it.
    if (!state.out) return;
    const e = state.endpoints;
    if (t.type === 'bulk') {
      if (t.direction === 'out' && t.endpoint === e.bulkOut) state.out.add(t);
      else if (t.direction === 'in' && t.endpoint === e.bulkIn) state.in.add(t);
      return;
    }
    if (t.direction !== 'in' || t.data.length === 0) return;
    if (e.interruptIn === undefined && e.detection === 'heuristic' && CCID_INTERRUPT_TYPES.has(t.data[0]!)) e.interruptIn = t.endpoint;
    if (t.endpoint === e.interruptIn) this.interruptFrame(e, t);
  }

  private interruptFrame(e: CcidEndpoints, t: TransferSlice): void {
    const problems: Problem[] = [];
    const type = t.data[0]!;
    if (!CCID_INTERRUPT_TYPES.has(type)) {
      problems.push({
        code: 'unknown-interrupt-message',
        message: `interrupt message type ${hexLiteral(type)}`,
        severity: 'warning',
      });
    }
    this.emit({
      device: e.device,
      direction: 'in',
      channel: 'interrupt',
      endpoint: t.endpoint,
      frames: [t.frame],
      firstFrame: t.frame,
      lastFrame: t.frame,
      timeNs: t.timeNs,
      endTimeNs: t.timeNs,
      bytes: this.slab.copy(t.data),
      expectedLength: undefined,
      truncated: t.truncated,
      problems,
      detection: e.detection,
    });
  }

  private fromDescriptors(key: string): DeviceState | undefined {
    if (!this.options.useDescriptors) return undefined;
    const ccid = this.devices.find(key)?.ccidInterfaces[0];
    if (!ccid) return undefined;
    const max = ccid.maxMessageLength;
    if (max !== undefined && max > CCID_MAX_MESSAGE_LENGTH) {
      this.problem({
        code: 'length-beyond-ccid-maximum',
        message: `${key}: dwMaxCCIDMessageLength ${max} exceeds the CCID maximum (${CCID_MAX_MESSAGE_LENGTH} bytes); messages are read up to ${CCID_MAX_MESSAGE_LENGTH} bytes`,
        severity: 'warning',
      });
    }
    const endpoints: CcidEndpoints = {
      device: key,
      detection: 'descriptor',
      maxMessageLength: max !== undefined && max >= CCID_HEADER_LENGTH ? usableMessageLength(max) : this.options.defaultMaxMessageLength,
      descriptor: ccid.descriptor,
    };
    if (ccid.bulkOut !== undefined) endpoints.bulkOut = ccid.bulkOut;
    if (ccid.bulkIn !== undefined) endpoints.bulkIn = ccid.bulkIn;
    if (ccid.interruptIn !== undefined) endpoints.interruptIn = ccid.interruptIn;
    return this.newState(endpoints);
  }

  private newState(endpoints: CcidEndpoints): DeviceState {
    return {
      endpoints,
      out: new CcidMessageAssembler(endpoints, 'out', this.emit, this.slab),
      in: new CcidMessageAssembler(endpoints, 'in', this.emit, this.slab),
    };
  }

  private detect(t: UsbTransfer): void {
    const data = t.data;
    const list = this.candidates.get(t.device);
    if (t.direction === 'out') {
      const cap = this.options.defaultMaxMessageLength;
      if (list) {
        if (list.length < MAX_CANDIDATES) list.push(copySlice(t, cap));
      } else if (looksLikeHeader(data, PC_TO_RDR_TYPES, cap)) {
        if (this.candidates.size >= MAX_CANDIDATE_DEVICES) this.candidates.delete(this.candidates.keys().next().value!);
        this.candidates.set(t.device, [copySlice(t, cap)]);
      }
      return;
    }
    if (!list || !looksLikeHeader(data, RDR_TO_PC_TYPES, this.options.defaultMaxMessageLength)) return;
    const command = list.find(
      (c) => c.data.length >= CCID_HEADER_LENGTH && c.data[5] === data[5] && c.data[6] === data[6] && PC_TO_RDR_TYPES.has(c.data[0]!),
    );
    if (!command) return;
    const state = this.newState({
      device: t.device,
      detection: 'heuristic',
      bulkOut: command.endpoint,
      bulkIn: t.endpoint,
      maxMessageLength: this.options.defaultMaxMessageLength,
    });
    this.states.set(t.device, state);
    this.candidates.delete(t.device);
    for (const c of list.slice(list.indexOf(command))) if (c.endpoint === command.endpoint) state.out.add(c);
    state.in.add(t);
  }
}

/** PC_to_RDR / RDR_to_PC header test used by the heuristic. */
function looksLikeHeader(data: Uint8Array, types: ReadonlySet<number>, cap: number): boolean {
  if (data.length < CCID_HEADER_LENGTH || !types.has(data[0]!) || data[5]! > 15) return false;
  const total = CCID_HEADER_LENGTH + dwLengthOf(data);
  if (total > cap) return false;
  // Whole message in one transfer, or the first part of a longer one cut at a packet multiple.
  return total === data.length || (total > data.length && data.length % 8 === 0);
}

/** A kept copy of a transfer; bytes past the largest message it could be part of are never used. */
function copySlice(t: TransferSlice, cap: number): TransferSlice {
  return {
    frame: t.frame,
    timeNs: t.timeNs,
    endpoint: t.endpoint,
    data: t.data.slice(0, cap),
    originalLength: t.originalLength,
    truncated: t.truncated,
  };
}
