/**
 * Pairs submit and completion records into transfers and feeds the device registry.
 *
 * Pairing key: the 64-bit URB/IRP id together with the endpoint address. Ids are kernel/IRP
 * pointers, unique while in flight; the endpoint tells apart the id-0 records USBPcap writes
 * for its start-up descriptor dump and QEMU writes for control packets. The device address is
 * deliberately NOT part of the key: QEMU logs SET_ADDRESS's completion at the new address.
 *
 * Bulk/interrupt transfers are emitted at completion (status known), stamped with the frame
 * that carries the data: OUT → the submit, IN → the completion. OUT submits still pending at
 * the end of the capture are emitted without a completion.
 */
import type { CaptureProblem } from './capture-types.js';
import { PendingUrbs } from './pending-urbs.js';
import { UsbDeviceRegistry } from './usb-devices.js';
import type { UsbDirection, UsbPacket, UsbSetupPacket, UsbTransferType } from './usb-packet.js';

/** The bytes-and-where of one transfer, enough to reassemble messages. */
export interface TransferSlice {
  frame: number;
  timeNs: number;
  endpoint: number;
  data: Uint8Array;
  /** Payload length on the bus (≥ data.length). */
  originalLength: number;
  truncated: boolean;
}

/** A bulk or interrupt transfer. `data` is a view into the capture chunk: copy what you keep. */
export class UsbTransfer implements TransferSlice {
  private payload: Uint8Array | undefined;

  constructor(
    /** The record that carries the payload (its fields back the getters below). */
    readonly packet: UsbPacket,
    /** Device identity key (see usb-devices.ts), e.g. "1.2" or "1.2#2". */
    readonly device: string,
    readonly submitFrame: number | undefined,
    readonly completeFrame: number | undefined,
    /** Completion status (raw, link-type specific); undefined without a completion. */
    readonly status: number | undefined,
    readonly statusOk: boolean,
  ) {}

  // Getters rather than copied fields: ~900 k transfers on a large import, kept small.
  /** The frame carrying the data: OUT → submit, IN → completion. */
  get frame(): number {
    return this.packet.frame;
  }
  get timeNs(): number {
    return this.packet.timeNs;
  }
  get bus(): number {
    return this.packet.bus;
  }
  get address(): number {
    return this.packet.device;
  }
  get endpoint(): number {
    return this.packet.endpoint;
  }
  get direction(): UsbDirection {
    return this.packet.direction;
  }
  get type(): UsbTransferType {
    return this.packet.transferType;
  }
  /** Payload length on the bus. */
  get originalLength(): number {
    return this.packet.dataLength;
  }
  get truncated(): boolean {
    return this.packet.truncated;
  }
  /** A view into the capture chunk (made once: the layers above read it several times): copy what you keep. */
  get data(): Uint8Array {
    return (this.payload ??= this.packet.data);
  }
}

export interface UsbControlTransfer {
  device: string;
  bus: number;
  address: number;
  endpoint: number;
  setup: UsbSetupPacket;
  /** Data stage direction (bmRequestType bit 7). */
  direction: UsbDirection;
  /** Data stage bytes (a copy): the answer of an IN request, the data of an OUT request. */
  data: Uint8Array;
  truncated: boolean;
  submitFrame: number;
  completeFrame: number;
  timeNs: number;
  status: number;
  statusOk: boolean;
}

export interface UsbTransferStats {
  packets: number;
  transfers: number;
  controlTransfers: number;
  isochronousCompletions: number;
  /** Completions whose submit was not in the capture (capture started mid-flight, or lost). */
  unmatchedCompletions: number;
  /** Submits replaced by a new submit with the same id before completing (or errors). */
  abandonedSubmits: number;
  /** Bulk/interrupt records of devices known not to be CCID readers, dropped undecoded (only when nobody asked for every packet). */
  skippedNonCcidRecords: number;
}

export interface UsbTransferHandlers {
  transfer?(transfer: UsbTransfer): void;
  control?(transfer: UsbControlTransfer): void;
  problem?(problem: CaptureProblem): void;
}

function detach(packet: UsbPacket): void {
  packet.detach();
}

/** Bounds the in-flight table against captures made of submits that never complete. */
const MAX_PENDING = 65536;

export class UsbTransferTracker {
  readonly devices: UsbDeviceRegistry;
  readonly stats: UsbTransferStats = {
    packets: 0,
    transfers: 0,
    controlTransfers: 0,
    isochronousCompletions: 0,
    unmatchedCompletions: 0,
    abandonedSubmits: 0,
    skippedNonCcidRecords: 0,
  };
  private readonly pending = new PendingUrbs();
  /** USBPcap logs a control data stage as its own record; kept beside the pending setup. */
  private readonly controlData = new PendingUrbs();

  constructor(private readonly handlers: UsbTransferHandlers) {
    this.devices = new UsbDeviceRegistry((p) => handlers.problem?.(p));
  }

  packet(p: UsbPacket): void {
    this.stats.packets++;
    this.devices.deviceAt(p.bus, p.device, p.frame);
    const isControl = p.transferType === 'control';
    if (isControl && p.controlStage === 'data') {
      if (this.pending.get(p)) {
        this.controlData.take(p);
        this.controlData.put(p);
      }
      return;
    }
    if (isControl && p.controlStage === 'status') return;

    if (p.event === 'submit') {
      const previous = this.pending.take(p);
      if (previous) this.abandon(previous);
      this.pending.put(p);
      if (this.pending.size > MAX_PENDING) {
        const oldest = this.pending.oldest()!;
        this.pending.take(oldest);
        this.abandon(oldest);
      }
      return;
    }
    const submit = this.pending.take(p);
    if (p.event === 'error') {
      this.stats.abandonedSubmits++;
      this.controlData.take(p);
      return;
    }
    if (p.event !== 'complete' && p.event !== 'packet') return;
    switch (p.transferType) {
      case 'bulk':
      case 'interrupt':
        this.dataTransfer(submit, p);
        break;
      case 'control':
        this.controlTransfer(submit, p);
        break;
      case 'isochronous':
        this.stats.isochronousCompletions++;
        break;
      default:
        break;
    }
  }

  /**
   * The chunk the last packets came in is about to be let go: URBs still in flight keep their
   * payload (a few bytes, copied) rather than the chunk (4 MiB each, were it kept by one URB).
   */
  releaseChunk(): void {
    this.pending.forEach(detach);
    this.controlData.forEach(detach);
  }

  /** The packets still waiting for their completion (tests, diagnostics). */
  get inFlight(): readonly UsbPacket[] {
    return [...this.pending.values(), ...this.controlData.values()];
  }

  /** End of capture: OUT data that was submitted but never completed is still data sent. */
  end(): void {
    for (const submit of this.pending.values()) {
      if ((submit.transferType === 'bulk' || submit.transferType === 'interrupt') && submit.direction === 'out') {
        this.emit(new UsbTransfer(submit, this.deviceKey(submit), submit.frame, undefined, undefined, false));
      }
    }
    this.pending.clear();
    this.controlData.clear();
  }

  private dataTransfer(submit: UsbPacket | undefined, complete: UsbPacket): void {
    if (complete.direction === 'out') {
      if (!submit) {
        this.stats.unmatchedCompletions++;
        return;
      }
      this.emit(new UsbTransfer(submit, this.deviceKey(submit), submit.frame, complete.frame, complete.status, complete.statusOk));
      return;
    }
    if (!submit) this.stats.unmatchedCompletions++;
    this.emit(new UsbTransfer(complete, this.deviceKey(complete), submit?.frame, complete.frame, complete.status, complete.statusOk));
  }

  private controlTransfer(submit: UsbPacket | undefined, complete: UsbPacket): void {
    const dataStage = this.controlData.size > 0 ? this.controlData.take(complete) : undefined;
    if (!submit?.setup) {
      this.stats.unmatchedCompletions++;
      return;
    }
    const setup = submit.setup;
    const direction: UsbDirection = setup.bmRequestType & 0x80 ? 'in' : 'out';
    let source: UsbPacket = direction === 'in' ? complete : submit;
    if (source.capturedLength === 0 && dataStage) source = dataStage;
    const transfer: UsbControlTransfer = {
      device: this.deviceKey(submit),
      bus: submit.bus,
      address: submit.device,
      endpoint: submit.endpoint,
      setup,
      direction,
      data: source.data.slice(),
      truncated: source.truncated,
      submitFrame: submit.frame,
      completeFrame: complete.frame,
      timeNs: submit.timeNs,
      status: complete.status,
      statusOk: complete.statusOk,
    };
    this.stats.controlTransfers++;
    this.devices.control({
      bus: submit.bus,
      address: submit.device,
      setup,
      data: transfer.data,
      statusOk: complete.statusOk,
      frame: submit.frame,
    });
    // The key is read after the registry saw it: a descriptor that starts a new identity
    // belongs to the new device.
    transfer.device = this.deviceKey(submit);
    this.handlers.control?.(transfer);
  }

  /** A submit that will never complete (replaced, or evicted): OUT data still went out. */
  private abandon(packet: UsbPacket): void {
    this.stats.abandonedSubmits++;
    if (
      (packet.transferType === 'bulk' || packet.transferType === 'interrupt') &&
      packet.direction === 'out' &&
      packet.capturedLength > 0
    ) {
      this.emit(new UsbTransfer(packet, this.deviceKey(packet), packet.frame, undefined, undefined, false));
    }
  }

  private emit(transfer: UsbTransfer): void {
    this.stats.transfers++;
    this.handlers.transfer?.(transfer);
  }

  private deviceKey(p: UsbPacket): string {
    return this.devices.deviceAt(p.bus, p.device, p.frame).key;
  }
}
