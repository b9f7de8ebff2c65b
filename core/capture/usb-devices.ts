/**
 * Follows USB devices through a capture and harvests their descriptors.
 *
 * Identity scheme: a device is known by bus and address, but addresses are reused when devices
 * come and go. The first device seen at an address is keyed "bus.address" (e.g. "1.2"); each
 * later device at that address gets "bus.address#n" (n = 2, 3…). A new identity starts when
 *   - a SET_ADDRESS(n) completes successfully (the device that answered at address 0 now lives
 *     at n; the device descriptor read at address 0 is carried over to it), or
 *   - a GET_DESCRIPTOR(device) answer at an address differs from the descriptor already known
 *     there (e.g. USBPcap's start-up dump listing two devices at one address in turn).
 *     Identical re-reads (or a shorter prefix read) do not split.
 * Address 0 (the default address during enumeration) is a scratch identity "bus.0" that is
 * cleared after each SET_ADDRESS and not listed among the devices.
 */
import type { CaptureProblem } from './capture-types.js';
import {
  DESCRIPTOR_LIMITS,
  descriptorCount,
  parseConfigurationDescriptor,
  parseDeviceDescriptor,
  parseStringDescriptor,
  type CcidInterfaceInfo,
  type UsbConfigurationDescriptor,
  type UsbDeviceDescriptor,
} from './usb-descriptors.js';
import type { UsbSetupPacket } from './usb-packet.js';

export type DeviceIdentitySource = 'first-traffic' | 'set-address' | 'device-descriptor';

export interface UsbDeviceInfo {
  /** "bus.address" or "bus.address#generation". */
  key: string;
  bus: number;
  address: number;
  /** 1 for the first device at this bus/address, then 2, 3… */
  generation: number;
  /** What started this identity. */
  identifiedBy: DeviceIdentitySource;
  firstFrame: number;
  lastFrame: number;
  descriptor?: UsbDeviceDescriptor;
  configurations: UsbConfigurationDescriptor[];
  /** String descriptors by index (UTF-16LE decoded). */
  strings: Record<number, string>;
  /** LANGIDs from string descriptor 0. */
  languages?: number[];
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** CCID interfaces found in the configuration descriptors. */
  ccidInterfaces: CcidInterfaceInfo[];
  /** Cached answer of isKnownNonCcid once the configuration is complete (reset when it changes). */
  nonCcid?: boolean;
}

/** Standard interface classes that are never a smart card reader. */
const NON_CCID_CLASSES: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0e, 0x0f, 0x10, 0xe0]);

function knownNonCcid(device: UsbDeviceInfo): boolean | undefined {
  const complete = device.configurations.find((c) => c.interfaces.length > 0 && c.interfaces.length >= c.bNumInterfaces);
  // Not known yet: answer no, and do not cache (the configuration may still arrive).
  if (!complete || device.ccidInterfaces.length > 0) return device.ccidInterfaces.length > 0 ? false : undefined;
  return complete.interfaces.every((i) => NON_CCID_CLASSES.has(i.bInterfaceClass));
}

/** A finished control transfer, as far as the registry cares. */
export interface ControlOutcome {
  bus: number;
  /** Address the request was sent to (the submit's address). */
  address: number;
  setup: UsbSetupPacket;
  /** Data stage bytes (IN answer or OUT data), captured part. */
  data: Uint8Array;
  statusOk: boolean;
  /** Frame of the submit (identity changes start there). */
  frame: number;
}

const REQUEST_SET_ADDRESS = 0x05;
const REQUEST_GET_DESCRIPTOR = 0x06;
const MAX_IDENTITIES = 4096;

export class UsbDeviceRegistry {
  private readonly byAddress = new Map<number, UsbDeviceInfo>();
  private readonly generations = new Map<number, number>();
  private readonly listed: UsbDeviceInfo[] = [];
  private readonly byKey = new Map<string, UsbDeviceInfo>();
  private overflow: UsbDeviceInfo | undefined;
  /** The slot isKnownNonCcid answered last and its device: a capture is long runs of one device's traffic. */
  private lastSlot = -1;
  private lastDevice: UsbDeviceInfo | undefined;
  /** Descriptors kept for all devices (see DESCRIPTOR_LIMITS.descriptorsPerCapture). */
  private retained = 0;
  private budgetReported = false;
  private readonly retiredListeners: ((device: UsbDeviceInfo) => void)[] = [];
  /** Identities started (the cap counts them, whether or not they are still listed). */
  private identities = 0;
  private forgetting = false;

  constructor(private readonly report: (p: CaptureProblem) => void = () => {}) {}

  /**
   * Calls `listener` with each identity that a new one replaces at its address (the device was
   * re-enumerated, or another took its address): nothing more is attributed to it, so whoever
   * keeps state per device can finish it and let it go — over a long capture of many sessions
   * that state would otherwise grow with every session.
   */
  onRetired(listener: (device: UsbDeviceInfo) => void): void {
    this.retiredListeners.push(listener);
  }

  /**
   * From now on, a retired identity is dropped from the device list with its descriptors, after
   * the retired listeners ran (for a decode that never lists the devices). Its descriptors still
   * count against the capture's descriptor budget, so that what is decoded does not depend on it.
   */
  forgetRetired(): void {
    this.forgetting = true;
  }

  /** Whether retired identities are forgotten (forgetRetired): state kept per device may go with them. */
  get forgetsRetired(): boolean {
    return this.forgetting;
  }

  /** Descriptors (interfaces, endpoints, class descriptors, strings) kept for all devices together. */
  get retainedDescriptors(): number {
    return this.retained;
  }

  /** Every identity seen, in order of appearance (address 0 scratch identities excluded). */
  get devices(): readonly UsbDeviceInfo[] {
    return this.listed;
  }

  find(key: string): UsbDeviceInfo | undefined {
    return this.byKey.get(key);
  }

  /**
   * True when the device at this slot (bus × 256 + address) is known from its complete
   * configuration to have only interfaces of standard classes that are never a CCID reader
   * (HID, audio, storage, hub…). Vendor-class interfaces keep a device interesting: some readers
   * hide CCID behind class 0xFF. Marks the device seen at frame.
   */
  isKnownNonCcid(slot: number, frame: number): boolean {
    let device = this.lastSlot === slot ? this.lastDevice : undefined;
    if (device === undefined) {
      device = this.byAddress.get(slot);
      if (!device) return false;
      this.lastSlot = slot;
      this.lastDevice = device;
    }
    if (frame > device.lastFrame) device.lastFrame = frame;
    return (device.nonCcid ??= knownNonCcid(device)) === true;
  }

  /** The identity currently at bus/address; created on first traffic. Marks it seen at frame. */
  deviceAt(bus: number, address: number, frame: number): UsbDeviceInfo {
    const slot = bus * 256 + (address & 0xff);
    let device = this.byAddress.get(slot);
    if (!device) device = this.startIdentity(bus, address, frame, 'first-traffic');
    if (frame > device.lastFrame) device.lastFrame = frame;
    return device;
  }

  /** Learns from a completed control transfer: identity changes and descriptors. */
  control(outcome: ControlOutcome): void {
    const { setup, bus, address } = outcome;
    if (!outcome.statusOk) return;
    if (setup.bmRequestType === 0x00 && setup.bRequest === REQUEST_SET_ADDRESS) {
      this.setAddress(bus, address, setup.wValue & 0x7f, outcome.frame);
      return;
    }
    if (setup.bmRequestType !== 0x80 || setup.bRequest !== REQUEST_GET_DESCRIPTOR || outcome.data.length < 2) return;
    const type = setup.wValue >> 8;
    const index = setup.wValue & 0xff;
    if (type === 0x01) this.deviceDescriptor(bus, address, outcome.data, outcome.frame);
    else if (type === 0x02) this.configuration(this.deviceAt(bus, address, outcome.frame), outcome.data, outcome.frame);
    else if (type === 0x03) this.stringDescriptor(this.deviceAt(bus, address, outcome.frame), outcome.data, index, outcome.frame);
  }

  private setAddress(bus: number, from: number, to: number, frame: number): void {
    if (to === 0) return;
    const scratch = this.byAddress.get(bus * 256 + from);
    // QEMU logs the SET_ADDRESS completion at the new address: an identity created by that
    // very completion is the device being addressed, not an older one.
    const existing = this.byAddress.get(bus * 256 + to);
    let device: UsbDeviceInfo;
    if (existing && existing.firstFrame >= frame) {
      device = existing;
      device.identifiedBy = 'set-address';
    } else {
      device = this.startIdentity(bus, to, frame, 'set-address');
    }
    if (scratch?.descriptor) device.descriptor = scratch.descriptor;
    if (from === 0) this.byAddress.delete(bus * 256);
    this.lastSlot = -1;
  }

  private deviceDescriptor(bus: number, address: number, bytes: Uint8Array, frame: number): void {
    const parsed = parseDeviceDescriptor(bytes);
    if (!parsed.value) return;
    let device = this.deviceAt(bus, address, frame);
    const known = device.descriptor;
    if (known && address !== 0 && !samePrefix(known.raw, parsed.value.raw)) {
      device = this.startIdentity(bus, address, frame, 'device-descriptor');
    }
    if (!device.descriptor || parsed.value.raw.length >= device.descriptor.raw.length) device.descriptor = parsed.value;
  }

  private configuration(device: UsbDeviceInfo, bytes: Uint8Array, frame: number): void {
    const parsed = parseConfigurationDescriptor(bytes);
    for (const message of parsed.problems) {
      this.report({ code: 'bad-descriptor', message: `${device.key}: ${message}`, severity: 'warning', frame });
    }
    if (parsed.dropped)
      this.report({ code: 'too-many-descriptors', message: `${device.key}: ${parsed.dropped}`, severity: 'warning', frame });
    const config = parsed.value;
    if (!config) return;
    const at = device.configurations.findIndex((c) => c.bConfigurationValue === config.bConfigurationValue);
    const replaced = at < 0 ? undefined : device.configurations[at]!;
    if (replaced && config.bytesRead < replaced.bytesRead) return;
    if (!replaced && device.configurations.length >= DESCRIPTOR_LIMITS.configurationsPerDevice) {
      this.report({
        code: 'too-many-descriptors',
        message: `${device.key}: configuration ${config.bConfigurationValue} dropped: a device keeps at most ${DESCRIPTOR_LIMITS.configurationsPerDevice} configurations`,
        severity: 'warning',
        frame,
      });
      return;
    }
    const cost = descriptorCount(config) - (replaced ? descriptorCount(replaced) : 0);
    if (!this.spend(cost, `${device.key}: configuration ${config.bConfigurationValue} dropped`, frame)) return;
    if (replaced) device.configurations[at] = config;
    else device.configurations.push(config);
    device.ccidInterfaces = device.configurations.flatMap((c) => c.interfaces.flatMap((i) => (i.ccid ? [i.ccid] : [])));
    device.nonCcid = undefined;
  }

  private stringDescriptor(device: UsbDeviceInfo, bytes: Uint8Array, index: number, frame: number): void {
    const parsed = parseStringDescriptor(bytes, index);
    if (parsed.languages) device.languages = parsed.languages;
    if (parsed.text === undefined) return;
    if (device.strings[index] === undefined && !this.spend(1, `${device.key}: string ${index} dropped`, frame)) return;
    device.strings[index] = parsed.text;
    const d = device.descriptor;
    if (d?.iManufacturer === index) device.manufacturer = parsed.text;
    if (d?.iProduct === index) device.product = parsed.text;
    if (d?.iSerialNumber === index) device.serialNumber = parsed.text;
  }

  /** Takes `cost` descriptors from the capture's budget; false (and one problem per capture) when it is spent. */
  private spend(cost: number, what: string, frame: number): boolean {
    if (this.retained + cost <= DESCRIPTOR_LIMITS.descriptorsPerCapture) {
      this.retained += cost;
      return true;
    }
    if (!this.budgetReported) {
      this.budgetReported = true;
      this.report({
        code: 'too-many-descriptors',
        message: `${what}: the capture already holds ${this.retained} descriptors (at most ${DESCRIPTOR_LIMITS.descriptorsPerCapture} are kept); later ones are dropped too`,
        severity: 'warning',
        frame,
      });
    }
    return false;
  }

  private startIdentity(bus: number, address: number, frame: number, identifiedBy: DeviceIdentitySource): UsbDeviceInfo {
    const slot = bus * 256 + (address & 0xff);
    if (this.identities >= MAX_IDENTITIES) return this.overflowIdentity(frame);
    const generation = address === 0 ? 1 : (this.generations.get(slot) ?? 0) + 1;
    this.generations.set(slot, generation);
    const device: UsbDeviceInfo = {
      key: generation === 1 ? `${bus}.${address}` : `${bus}.${address}#${generation}`,
      bus,
      address,
      generation,
      identifiedBy,
      firstFrame: frame,
      lastFrame: frame,
      configurations: [],
      strings: {},
      ccidInterfaces: [],
    };
    const previous = this.byAddress.get(slot);
    this.byAddress.set(slot, device);
    this.lastSlot = -1;
    if (address !== 0) {
      this.identities++;
      this.listed.push(device);
      this.byKey.set(device.key, device);
    }
    if (previous && previous.address !== 0) this.retire(previous);
    return device;
  }

  private retire(device: UsbDeviceInfo): void {
    for (const listener of this.retiredListeners) listener(device);
    if (!this.forgetting) return;
    this.byKey.delete(device.key);
    // Usually among the last listed: the search from the end is short.
    const at = this.listed.lastIndexOf(device);
    if (at >= 0) this.listed.splice(at, 1);
  }

  /** A hostile capture could name millions of bus/address pairs; past the cap they share one. */
  private overflowIdentity(frame: number): UsbDeviceInfo {
    if (!this.overflow) {
      this.report({
        code: 'too-many-devices',
        message: `more than ${MAX_IDENTITIES} device identities; the rest are merged`,
        severity: 'warning',
        frame,
      });
      this.overflow = {
        key: 'overflow',
        bus: 0,
        address: 0,
        generation: 1,
        identifiedBy: 'first-traffic',
        firstFrame: frame,
        lastFrame: frame,
        configurations: [],
        strings: {},
        ccidInterfaces: [],
      };
    }
    return this.overflow;
  }
}

function samePrefix(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
