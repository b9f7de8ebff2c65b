/**
 * The whole trace in one push-driven object: capture bytes → UsbCaptureDecoder (containers,
 * URBs, devices, CCID message reassembly) → every CCID message decoded (core/ccid) → commands
 * paired with their answers per device + slot + bSeq → ATRs, APDU exchanges, PIN operations,
 * card events and problems, collected into a TraceReport. The pairing rules are SlotPairing's
 * (slot-pairing.ts); what a pair means (an ATR, an APDU part, a PIN outcome) is decided here.
 *
 * Memory: only the report grows (one entry per exchange/ATR/event/problem, problems capped);
 * per-slot state is bounded.
 *
 * APDU-level traces take a shorter way to the same report (ApduTraceSink): the exported-PDU packets
 * of a capture (link type 252, a recording) go to ExportedPduTrace, and data that starts like a
 * pcsc-spy log goes to PcscSpyLogReader and PcscCallTrace instead of the capture reader.
 *
 * Some 600 lines: this is the one place where every kind of message reaches the report.
 * Reading the fields (ccid-pairing-fields), pairing (slot-pairing), APDUs out of XfrBlocks
 * (slot-apdus), transactions (trace-transactions) and the APDU-level traces are their own modules.
 */
import type { ByteSink } from '../capture/byte-source.js';
import { concatBytes } from '../bytes/concat.js';
import { looksLikePcscSpyLog } from '../capture/format-detect.js';
import { PcscSpyLogReader } from '../capture/pcsc-spy-log.js';
import { UsbCaptureDecoder, type UsbCaptureOptions } from '../capture/capture-pipeline.js';
import type { CaptureProblem } from '../capture/capture-types.js';
import type { CcidFrame } from '../capture/ccid-stream.js';
import { byteHex, hexLiteral, intHex, toHex } from '../bytes/hex.js';
import { decodeClassDescriptor, type CcidClassDescriptor } from '../ccid/class-descriptor.js';
import type { CcidMessage, CcidPayloadKind } from '../ccid/decode-message.js';
import { CCID_MESSAGE_CODE, messageTypeByCode } from '../ccid/message-types.js';
import { parseAtr, type Atr } from '../iso7816/atr.js';
import type { Problem } from '../dissect/node.js';
import type { ApduTraceSink, TraceApduPacket } from './apdu-trace-sink.js';
import { ExportedPduTrace } from './exported-pdu-trace.js';
import { PcscCallTrace } from './pcsc-call-trace.js';
import { SlotApdus, type RawApduExchange, type SlotLevel, type XfrPart } from './slot-apdus.js';
import {
  emptyTraceReport,
  type TraceDevice,
  type TraceEventKind,
  type TraceExchange,
  type TracePinOperation,
  type TraceProblem,
  type TraceReport,
} from './trace-report.js';
import { readCcidPairingFields, type CcidPairingFields, type CcidPairingFieldsOptions } from './ccid-pairing-fields.js';
import { SlotPairing, type PendingCommand } from './slot-pairing.js';
import { TransactionFolder } from './trace-transactions.js';

/** One CCID message as the transcript shows it. */
export interface TraceMessage {
  frame: number;
  /** ns since frame 1. */
  timeNs: number;
  device: string;
  /** undefined for interrupt messages. */
  slot: number | undefined;
  direction: 'out' | 'in' | 'interrupt';
  /** Spec name, or 'unknown 0xNN'. */
  name: string;
  /**
   * The summary line core/ccid's decoder writes for it; '' for a message read from its header
   * alone when TraceDecoderOptions.headerSummaries is off (headerOnlySummary makes it).
   */
  summary: string;
  bMessageType: number;
  /** What abData carries; undefined when the message has none. */
  kind: CcidPayloadKind | undefined;
  /** Problems the CCID decoder found in the message (the capture layer's are in ccidFrame.problems). */
  problemCount: number;
  /**
   * The full decode (fields and tree). Clean XfrBlock/DataBlock messages, nearly all of a trace,
   * are read from their header alone and have none unless TraceDecoderOptions.fullMessages asks.
   */
  message: CcidMessage | undefined;
  ccidFrame: CcidFrame;
}

/**
 * An APDU exchange as bytes, before its hex is written: what a consumer that stores or prints
 * exchanges its own way takes (traceExchangeOf gives the report's form of it). The byte arrays
 * are views the decoder does not keep: copy what you keep past the call.
 */
export interface TraceRawExchange extends RawApduExchange {
  /** 1-based, in capture order (TraceExchange.index). */
  index: number;
  device: string;
  slot: number;
}

export interface TraceHandlers {
  /** Every CCID message, in capture order. */
  message?(message: TraceMessage): void;
  exchange?(exchange: TraceExchange): void;
  /** Every exchange as bytes (no hex written for it unless the report or `exchange` wants it). */
  rawExchange?(exchange: TraceRawExchange): void;
  /** Every APDU, response and ATR of an APDU-level trace (exported-PDU recording, pcsc-spy log): its rows. */
  apduPacket?(packet: TraceApduPacket): void;
}

export interface TraceDecoderOptions {
  /** The file name the report names. */
  file?: string;
  /** At most this many problems are listed (default 10 000); the rest are counted. */
  maxProblems?: number;
  /**
   * At most this many card events are listed (default 65 536); the rest are counted. One 65-byte
   * NotifySlotChange can announce 256 changed slots: a file of them would otherwise make the
   * report ~70 times larger than itself.
   */
  maxEvents?: number;
  handlers?: TraceHandlers;
  capture?: UsbCaptureOptions;
  /** Fold exchanges into report.transactions (default true). A caller that folds them itself (the viewer's store, live) turns it off. */
  foldTransactions?: boolean;
  /** Decode every message fully for the message handler (TraceMessage.message), not only the odd ones. */
  fullMessages?: boolean;
  /**
   * Keep exchanges in report.exchanges (default true). A consumer that takes each one from the
   * exchange handler (the viewer's import, through its worker) turns it off: a million-row capture
   * would otherwise hold every exchange twice.
   */
  keepExchanges?: boolean;
  /**
   * Forget a device re-enumerated at its address (its descriptors, its place in the device list)
   * (default false). For a consumer that never asks for the devices (result({ devices: false })):
   * over a capture of thousands of sessions, memory then stays what one session needs.
   */
  forgetRetiredDevices?: boolean;
  /**
   * Write the summary of messages read from their header alone (default true). A consumer that
   * gets their header bytes to another thread turns it off and makes the summary there
   * (headerOnlySummary): the decode then spends nothing on the text of most messages.
   */
  headerSummaries?: boolean;
}

interface ReaderState {
  level: SlotLevel;
  slotCount: number | undefined;
  /** Commands waiting for their answers; a Secure's note is the PIN operation it started. */
  pairing: SlotPairing<TracePinOperation>;
  slots: Map<number, SlotApdus>;
}

/** Readers an APDU trace (exported-PDU recording, pcsc-spy log) lists at most. */
const MAX_APDU_DEVICES = 4096;

/** Class descriptors up to this long (a real one is 54 bytes) are remembered by their bytes … */
const MAX_DESCRIPTOR_KEY = 256;
/** … this many at most before starting over (a hostile capture cannot make it grow). */
const MAX_REMEMBERED_DESCRIPTORS = 64;

export class TraceDecoder implements ByteSink {
  private readonly capture: UsbCaptureDecoder;
  /** Which reader the bytes go to: decided from the first bytes (a pcsc-spy log is text, a capture is not). */
  private route: 'undecided' | 'capture' | 'pcsc-spy' = 'undecided';
  private head: Uint8Array | undefined;
  private spyLog: PcscSpyLogReader | undefined;
  /** APDU-level traces report here (exported-PDU packets of a capture, a spy log's calls). */
  private readonly apduSink: ApduTraceSink;
  private readonly exportedPdus: ExportedPduTrace;
  /** The readers APDU-level traces named, in order of appearance (report.devices), with what the trace says of them. */
  private readonly apduDevices = new Map<string, Pick<TraceDevice, 'backend' | 'protocol' | 'pins'>>();
  private readonly readers = new Map<string, ReaderState>();
  private readonly classDescriptors = new Map<string, CcidClassDescriptor | undefined>();
  private readonly report: TraceReport;
  private readonly maxProblems: number;
  private readonly maxEvents: number;
  private readonly handlers: TraceHandlers;
  private readonly folder: TransactionFolder | undefined;
  private readonly keepExchanges: boolean;
  private readonly fullMessages: boolean;
  private readonly headerSummaries: boolean;
  /** Options for reading each message, one object reused (nothing keeps it past the call). */
  private readonly fieldOptions: CcidPairingFieldsOptions = { direction: 'out' };
  /** Messages by bMessageType, and the types in order of first appearance (report.ccid.byType's order). */
  private readonly typeCounts = new Uint32Array(256);
  private readonly typesSeen: number[] = [];
  /** The last reader looked up: consecutive messages nearly always come from the same one. */
  private lastReader: { device: string; state: ReaderState } | undefined;
  /** parseAtr of the ATRs met so far, by hex: a trace repeats the same few ATRs at every power-on. */
  private readonly atrCache = new Map<string, Pick<Atr, 'specificMode' | 'protocols' | 't1'>>();
  private exchangeCount = 0;
  private messages = 0;
  private finished = false;
  private refusal: string | undefined;

  constructor(options: TraceDecoderOptions = {}) {
    this.maxProblems = options.maxProblems ?? 10_000;
    this.maxEvents = options.maxEvents ?? 65_536;
    this.handlers = options.handlers ?? {};
    this.folder = options.foldTransactions === false ? undefined : new TransactionFolder();
    this.keepExchanges = options.keepExchanges !== false;
    this.fullMessages = options.fullMessages === true;
    this.headerSummaries = options.headerSummaries !== false;
    this.report = emptyTraceReport(options.file ?? '');
    this.apduSink = this.apduTraceSink();
    this.exportedPdus = new ExportedPduTrace(this.apduSink);
    this.capture = new UsbCaptureDecoder(
      {
        ccid: (frame) => this.ccidFrame(frame),
        interface: (info) => this.exportedPdus.interface(info),
        exportedPdu: (record) => this.exportedPdus.record(record),
        problem: (p) => this.captureProblem(p),
      },
      options.capture,
    );
    // After the CCID stream's own listener: what the device left half-sent arrives first.
    this.capture.tracker.devices.onRetired((device) => this.retireReader(device.key));
    if (options.forgetRetiredDevices) this.capture.tracker.devices.forgetRetired();
  }

  /** A reader re-enumerated: commands still waiting are reported as end() reports them, and its state is let go. */
  private retireReader(device: string): void {
    const state = this.readers.get(device);
    if (!state) return;
    state.pairing.end();
    this.readers.delete(device);
    if (this.lastReader?.device === device) this.lastReader = undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.route === 'capture') this.capture.push(chunk);
    else if (this.route === 'pcsc-spy') this.spyLog!.push(chunk);
    else this.decideRoute(chunk);
  }

  /** A pcsc-spy log starts with `THREAD@` (hex digits, then @); anything else goes to the capture reader, which says what it is not. */
  private decideRoute(chunk: Uint8Array): void {
    const head = this.head ? concatBytes([this.head, chunk]) : chunk;
    const spy = looksLikePcscSpyLog(head);
    if (spy === undefined) {
      this.head = head.slice();
      return;
    }
    this.head = undefined;
    if (spy) {
      this.route = 'pcsc-spy';
      const calls = new PcscCallTrace(this.apduSink);
      this.spyLog = new PcscSpyLogReader({ call: (call) => calls.call(call), problem: (line, p) => this.problem(line, p) });
      this.spyLog.push(head);
    } else {
      this.route = 'capture';
      this.capture.push(head);
    }
  }

  /** Set as soon as the first bytes show the data is not a pcap/pcapng capture: why. */
  get notACapture(): string | undefined {
    return this.refusal;
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.route === 'pcsc-spy') {
      this.spyLog!.end();
      return;
    }
    if (this.route === 'undecided') {
      this.route = 'capture';
      if (this.head) this.capture.push(this.head);
      this.head = undefined;
    }
    this.capture.end();
    this.exportedPdus.end();
    for (const state of this.readers.values()) state.pairing.end();
  }

  /**
   * The report so far; complete after end(). Transactions are folded on each call.
   *
   * @param options.devices describe the devices (default true); a consumer that needs only the
   *   outcome (whether the file was read to its end) spares decoding every class descriptor
   */
  result(options: { devices?: boolean } = {}): TraceReport {
    const summary = this.capture.summary();
    const report = this.report;
    if (this.route === 'pcsc-spy') {
      report.format = 'pcsc-spy';
      report.packets = this.spyLog!.lines;
      report.devices = options.devices === false ? [] : this.apduDeviceList();
      report.complete = this.finished;
      report.transactions = !this.folder ? [] : this.finished ? this.folder.finish() : [...this.folder.transactions];
      return report;
    }
    report.format = summary.format ?? null;
    report.linkTypes = [...new Set(summary.interfaces.map((i) => i.linkType))];
    report.packets = summary.frames;
    const readers = new Map(summary.ccidReaders.map((r) => [r.device, r]));
    const devices = options.devices === false ? [] : summary.devices;
    report.devices = devices.map((d): TraceDevice => {
      const reader = readers.get(d.key);
      const descriptor = reader?.descriptor ?? d.ccidInterfaces[0]?.descriptor;
      const device: TraceDevice = {
        id: d.key,
        vendorId: usbId(d.descriptor?.idVendor),
        productId: usbId(d.descriptor?.idProduct),
        ccid: descriptor ? (this.classDescriptor(descriptor) ?? null) : null,
      };
      if (d.product !== undefined) device.product = d.product;
      if (reader) device.ccidDetection = reader.detection;
      return device;
    });
    if (options.devices !== false) report.devices.push(...this.apduDeviceList());
    const byType: Record<string, number> = {};
    for (const code of this.typesSeen) byType[messageTypeName(code)] = this.typeCounts[code]!;
    report.ccid = { messages: this.messages, byType };
    const stop = summary.stoppedBy;
    report.complete = this.finished && stop === undefined;
    if (stop) {
      report.stoppedBy = { code: stop.code, message: stop.message };
      if (stop.fileOffset !== undefined) report.stoppedBy.fileOffset = stop.fileOffset;
      if (stop.frame !== undefined) report.stoppedBy.frame = stop.frame;
    }
    report.transactions = !this.folder ? [] : this.finished ? this.folder.finish() : [...this.folder.transactions];
    return report;
  }

  // ---- APDU-level traces ---------------------------------------------------------------------

  private apduTraceSink(): ApduTraceSink {
    return {
      device: (name, about) => {
        if (this.apduDevices.size < MAX_APDU_DEVICES && !this.apduDevices.has(name)) this.apduDevices.set(name, about ?? {});
      },
      packet: (packet) => this.handlers.apduPacket?.(packet),
      exchange: (device, slot, raw) => this.exchange(device, slot, raw),
      atr: (frame, device, slot, atr) => this.report.atrs.push({ frame, device, slot, atr: toHex(atr) }),
      event: (frame, device, slot, kind) => this.addEvent(frame, device, slot, kind),
      pinOperation: (operation) => this.report.pinOperations.push(operation),
      problem: (frame, p) => this.problem(frame, p),
    };
  }

  /** A reader of an APDU-level trace: a name, no USB identity. */
  private apduDeviceList(): TraceDevice[] {
    return [...this.apduDevices].map(([id, about]) => {
      const device: TraceDevice = { id, vendorId: null, productId: null, ccid: null, apduTrace: true };
      // Only what the trace said: absent keys stay absent in the JSON.
      if (about.backend !== undefined) device.backend = about.backend;
      if (about.protocol !== undefined) device.protocol = about.protocol;
      if (about.pins !== undefined) device.pins = about.pins;
      return device;
    });
  }

  // ---- CCID messages -------------------------------------------------------------------------

  private ccidFrame(frame: CcidFrame): void {
    const reader = this.readerState(frame.device);
    const bytes = frame.bytes;
    const direction = frame.channel === 'interrupt' ? 'interrupt' : frame.direction;
    const slot = direction !== 'interrupt' && bytes.length >= 7 ? bytes[5]! : undefined;
    const bSeq = direction !== 'interrupt' && bytes.length >= 7 ? bytes[6]! : undefined;
    const onMessage = this.handlers.message;
    const options = this.fieldOptions;
    options.direction = direction;
    options.exchangeLevel = reader.level === 'unknown' ? undefined : reader.level;
    options.answerTo = direction === 'in' ? reader.pairing.awaitedCommand(slot, bSeq) : undefined;
    options.slotCount = direction === 'interrupt' ? reader.slotCount : undefined;
    options.summary = onMessage !== undefined && this.headerSummaries;
    options.full = this.fullMessages;
    const message = readCcidPairingFields(bytes, options);
    this.messages++;
    const type = message.bMessageType & 0xff;
    const seen = this.typeCounts[type]!;
    this.typeCounts[type] = seen + 1;
    if (seen === 0) this.typesSeen.push(type);
    if (frame.problems.length > 0) for (const p of frame.problems) this.problem(frame.firstFrame, p);
    if (message.problems.length > 0) {
      // The capture layer already said the bytes were cut; the decoder would say it again.
      const cut = frame.truncated || frame.problems.some((p) => p.code === 'incomplete');
      for (const p of message.problems) if (!(cut && p.code === 'length-beyond-message')) this.problem(frame.firstFrame, p);
    }

    if (onMessage) {
      onMessage({
        frame: frame.firstFrame,
        timeNs: frame.timeNs,
        device: frame.device,
        slot,
        direction,
        name: message.name ?? messageTypeName(type),
        summary: message.summary ?? '',
        bMessageType: message.bMessageType,
        kind: message.kind,
        problemCount: message.problems.length,
        message: message.message,
        ccidFrame: frame,
      });
    }

    if (direction === 'interrupt') this.interrupt(frame, message);
    else if (direction === 'out') this.command(reader, frame, message);
    else this.answer(reader, frame, message);
  }

  /**
   * A CCID class descriptor decoded, remembered by its bytes: a reader that re-enumerates (or a
   * capture of many sessions) brings the same descriptor back under a new device identity, and
   * its full decode builds a dissection tree.
   */
  private classDescriptor(raw: Uint8Array): CcidClassDescriptor | undefined {
    const key = String.fromCharCode(...raw.subarray(0, MAX_DESCRIPTOR_KEY));
    if (raw.length <= MAX_DESCRIPTOR_KEY && this.classDescriptors.has(key)) return this.classDescriptors.get(key);
    const descriptor = decodeClassDescriptor(raw).descriptor;
    if (raw.length <= MAX_DESCRIPTOR_KEY) {
      if (this.classDescriptors.size >= MAX_REMEMBERED_DESCRIPTORS) this.classDescriptors.clear();
      this.classDescriptors.set(key, descriptor);
    }
    return descriptor;
  }

  private readerState(device: string): ReaderState {
    const last = this.lastReader;
    if (last !== undefined && last.device === device) return last.state;
    let state = this.readers.get(device);
    if (state) {
      this.lastReader = { device, state };
      return state;
    }
    const raw = this.capture.tracker.devices.find(device)?.ccidInterfaces[0]?.descriptor;
    const descriptor: CcidClassDescriptor | undefined = raw ? this.classDescriptor(raw) : undefined;
    state = {
      level: descriptor ? descriptor.features.exchangeLevel : 'unknown',
      slotCount: descriptor ? descriptor.bMaxSlotIndex + 1 : undefined,
      pairing: new SlotPairing(device, (frame, p) => this.problem(frame, p)),
      slots: new Map(),
    };
    this.readers.set(device, state);
    this.lastReader = { device, state };
    return state;
  }

  private command(reader: ReaderState, frame: CcidFrame, message: CcidPairingFields): void {
    const pending = reader.pairing.command(frame, message);
    if (!pending) return;
    const slot = pending.fields.bSlot!;
    if (message.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_Secure && message.secure) {
      const secure = message.secure;
      pending.note = {
        frame: frame.firstFrame,
        device: frame.device,
        slot,
        operation: secure.operation,
        apduTemplate: secure.apdu ? toHex(secure.apdu.bytes) : null,
        structure: secure.verify ?? secure.modify ?? null,
        answer: null,
      };
      this.report.pinOperations.push(pending.note);
    }
    if (message.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_SetParameters && message.bProtocolNum !== undefined) {
      this.slotApdus(reader, frame.device, slot).protocolSelected(message.bProtocolNum);
    }
  }

  private answer(reader: ReaderState, frame: CcidFrame, message: CcidPairingFields): void {
    const pairing = reader.pairing.answer(frame, message);
    if (pairing.kind === 'time-extension') this.event(frame, pairing.slot, 'time-extension');
    else if (pairing.kind === 'paired') this.paired(reader, pairing.command, frame, message);
  }

  private paired(reader: ReaderState, pending: PendingCommand<TracePinOperation>, frame: CcidFrame, message: CcidPairingFields): void {
    const command = pending.fields;
    const slot = message.bSlot!;
    const ok = message.status?.commandStatus === 'ok';
    const pin = pending.note;
    if (pin) {
      pin.answer = {
        message: message.name ?? `unknown ${hexLiteral(message.bMessageType)}`,
        bStatus: message.status?.bStatus ?? 0,
        bError: message.status?.bError ?? 0,
        meaning: message.status ? describeStatus(message) : 'no status',
      };
      if (ok && message.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_DataBlock && message.data) {
        const response = message.data;
        pin.answer.response = toHex(response);
        pin.answer.sw = response.length >= 2 ? toHex(response.subarray(response.length - 2)) : null;
      }
      return;
    }
    if (!ok) {
      if (
        command.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock ||
        command.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOn
      ) {
        this.problem(frame.firstFrame, {
          code: 'command-failed',
          message: `${command.name} (frame ${pending.frame.firstFrame}) failed: ${message.status ? describeStatus(message) : 'no status'}`,
          severity: 'warning',
        });
      }
      return;
    }
    if (
      command.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOn &&
      message.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_DataBlock &&
      message.data
    ) {
      const atr = message.data;
      const hex = toHex(atr);
      this.report.atrs.push({ frame: frame.firstFrame, device: frame.device, slot, atr: hex });
      const parsed = this.parsedAtr(hex, atr);
      const protocol = parsed.specificMode?.protocol ?? parsed.protocols[0];
      this.slotApdus(reader, frame.device, slot).cardReset(protocol, parsed.t1?.edc);
      return;
    }
    if (message.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_Parameters && message.bProtocolNum !== undefined) {
      this.slotApdus(reader, frame.device, slot).protocolSelected(message.bProtocolNum);
      return;
    }
    if (
      command.bMessageType === CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock &&
      message.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_DataBlock &&
      command.data &&
      message.data
    ) {
      this.slotApdus(reader, frame.device, slot).xfr(
        xfrPart(pending.frame, command.data),
        command.wLevelParameter,
        xfrPart(frame, message.data),
        message.bChainParameter,
      );
    }
  }

  /** What the slot's protocol and EDC depend on, parsed once per distinct ATR (a few hundred at most are kept). */
  private parsedAtr(hex: string, atr: Uint8Array): Pick<Atr, 'specificMode' | 'protocols' | 't1'> {
    let parsed = this.atrCache.get(hex);
    if (!parsed) {
      const full = parseAtr(atr);
      parsed = { specificMode: full.specificMode, protocols: full.protocols, t1: full.t1 };
      if (this.atrCache.size >= MAX_CACHED_ATRS) this.atrCache.clear();
      this.atrCache.set(hex, parsed);
    }
    return parsed;
  }

  private slotApdus(reader: ReaderState, device: string, slot: number): SlotApdus {
    let apdus = reader.slots.get(slot);
    if (!apdus) {
      apdus = new SlotApdus(reader.level, {
        exchange: (raw) => this.exchange(device, slot, raw),
        problem: (frame, p) => this.problem(frame, p),
      });
      reader.slots.set(slot, apdus);
    }
    return apdus;
  }

  private exchange(device: string, slot: number, raw: RawApduExchange): void {
    const index = ++this.exchangeCount;
    const onExchange = this.handlers.exchange;
    const onRaw = this.handlers.rawExchange;
    // The hex is written only for whoever reads it: the report, the folder, the exchange handler.
    const wantsHex = this.keepExchanges || this.folder !== undefined || onExchange !== undefined;
    if (!onRaw && !wantsHex) return;
    const indexed: TraceRawExchange = {
      index,
      device,
      slot,
      command: raw.command,
      response: raw.response,
      commandFrame: raw.commandFrame,
      responseFrame: raw.responseFrame,
      commandTimeNs: raw.commandTimeNs,
      responseEndNs: raw.responseEndNs,
      truncated: raw.truncated,
    };
    onRaw?.(indexed);
    if (!wantsHex) return;
    const exchange = traceExchangeOf(indexed);
    if (this.keepExchanges) this.report.exchanges.push(exchange);
    this.folder?.add(exchange, raw.command, raw.response);
    onExchange?.(exchange);
  }

  private interrupt(frame: CcidFrame, message: CcidPairingFields): void {
    if (message.slotChanges) {
      for (const change of message.slotChanges) {
        if (change.changed) this.event(frame, change.slot, change.present ? 'card-inserted' : 'card-removed');
      }
    } else if (message.name === 'RDR_to_PC_HardwareError') {
      this.event(frame, message.bSlot ?? 0, 'hardware-error');
    }
  }

  private event(frame: CcidFrame, slot: number, kind: TraceEventKind): void {
    this.addEvent(frame.firstFrame, frame.device, slot, kind);
  }

  private addEvent(frame: number, device: string, slot: number, kind: TraceEventKind): void {
    if (this.report.events.length >= this.maxEvents) {
      this.report.eventsOmitted++;
      return;
    }
    this.report.events.push({ frame, device, slot, kind });
  }

  // ---- problems ------------------------------------------------------------------------------

  private captureProblem(p: CaptureProblem): void {
    if (p.code === 'not-a-capture') {
      // The capture reader knows only its formats; this decoder also reads pcsc-spy logs.
      const message = p.message.replace(/^not a pcap\/pcapng file/, 'not a pcap/pcapng file or pcsc-spy log');
      this.refusal ??= message;
      this.problem(p.frame, { ...p, message });
      return;
    }
    this.problem(p.frame, p);
  }

  private problem(frame: number | undefined, p: Problem): void {
    if (this.report.problems.length >= this.maxProblems) {
      this.report.problemsOmitted++;
      return;
    }
    const out: TraceProblem = frame !== undefined ? { frame, code: p.code, message: p.message } : { code: p.code, message: p.message };
    if (p.severity) out.severity = p.severity;
    this.report.problems.push(out);
  }
}

/** The report's form of an exchange: hex, status word, times in ms rounded to the nanosecond. */
export function traceExchangeOf(raw: TraceRawExchange): TraceExchange {
  const response = raw.response;
  return {
    index: raw.index,
    device: raw.device,
    slot: raw.slot,
    command: toHex(raw.command),
    response: toHex(response),
    sw: response.length >= 2 ? byteHex(response[response.length - 2]!) + byteHex(response[response.length - 1]!) : null,
    commandFrame: raw.commandFrame,
    responseFrame: raw.responseFrame,
    timeMs: exchangeTimeMs(raw),
    durationMs: exchangeDurationMs(raw),
    truncated: raw.truncated,
  };
}

/** TraceExchange.timeMs: when the command went out, in ms since frame 1, to the nanosecond. */
export function exchangeTimeMs(raw: Pick<RawApduExchange, 'commandTimeNs'>): number {
  return Math.round(raw.commandTimeNs / 1000) / 1000;
}

/** TraceExchange.durationMs: from the command to the end of its response. */
export function exchangeDurationMs(raw: Pick<RawApduExchange, 'commandTimeNs' | 'responseEndNs'>): number {
  return Math.round((raw.responseEndNs - raw.commandTimeNs) / 1000) / 1000;
}

/** Different ATRs a trace remembers parsed before it starts over. */
const MAX_CACHED_ATRS = 256;

/** report.ccid.byType's key: the spec name, or 'unknown 0xNN'. */
function messageTypeName(code: number): string {
  return messageTypeByCode(code)?.name ?? `unknown ${hexLiteral(code)}`;
}

function usbId(value: number | undefined): string | null {
  return value === undefined ? null : intHex(value, 4).toLowerCase();
}

function xfrPart(frame: CcidFrame, data: Uint8Array): XfrPart {
  return { data, frame: frame.firstFrame, timeNs: frame.timeNs, endTimeNs: frame.endTimeNs, truncated: frame.truncated };
}

function describeStatus(message: CcidPairingFields): string {
  const status = message.status!;
  if (status.commandStatus === 'ok') return 'command processed';
  return status.errorName ? `${status.errorName}: ${status.errorMeaning}` : status.errorMeaning;
}

/** Decodes a whole capture held in memory (tests, small files). */
export function decodeTraceBytes(bytes: Uint8Array, options: TraceDecoderOptions & { chunkSize?: number } = {}): TraceReport {
  const decoder = new TraceDecoder(options);
  const size = Math.max(1, options.chunkSize ?? bytes.length);
  for (let at = 0; at < bytes.length; at += size) decoder.push(bytes.subarray(at, at + size));
  decoder.end();
  return decoder.result();
}
