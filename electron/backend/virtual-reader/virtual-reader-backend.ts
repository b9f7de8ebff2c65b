/**
 * The built-in "Cardbench Virtual Pinpad": the real CCID driver over the in-process USB device
 * (GemPC Pinpad profile, TPDU T=1, bPINSupport 3) with the virtual card inserted. With no
 * hardware and no pcscd there is still a reader to try everything on.
 */
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { CcidDriver, type CcidDriverOptions } from '#core/ccid/host/ccid-driver.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import type { SmartCard } from '#core/sim/card/virtual-card.js';
import { FixedPinKeypad, type Keypad } from '#core/sim/reader/keypad.js';
import type { DeviceTimers } from '#core/sim/usb/usb-faults.js';
import { GEMPC_PINPAD_USB_PROFILE, type UsbReaderProfile } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import { CcidDriverReader } from '../ccid-usb/ccid-driver-reader.js';
import type {
  BackendReader,
  Disposition,
  ReaderBackend,
  ReaderCallOptions,
  ReaderTransmitOptions,
  ReaderTransmitResult,
  SecurePinAnswer,
  SecurePinEntry,
} from '../reader-backend.js';

export const VIRTUAL_READER_NAME = 'Cardbench Virtual Pinpad';
/** Its id in the reader hub (`<backend>:<name>`), what events about its keypad name. */
export const VIRTUAL_READER_ID = `virtual:${VIRTUAL_READER_NAME}`;
/** OpenPGP's factory PW1: what the demo keypad types unless told otherwise. */
export const DEFAULT_KEYPAD_PIN = '123456';

export interface VirtualReaderBackendOptions {
  keypad?: Keypad;
  /** The inserted card; default a fresh T=1 VirtualSmartCard (OpenPGP, PIV, ISO files). */
  card?: SmartCard | null;
  profile?: UsbReaderProfile;
  timers?: DeviceTimers;
  now?: () => number;
  driver?: CcidDriverOptions;
}

export interface VirtualReaderBackend extends ReaderBackend {
  /** The device model, to insert/remove the card or inject faults. */
  readonly device: VirtualUsbCcidDevice;
  readonly driver: CcidDriver;
}

/** The device model's timers on Node's clock (the tests that build their own device use them too). */
export const nodeTimers: DeviceTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createVirtualReaderBackend(options: VirtualReaderBackendOptions = {}): VirtualReaderBackend {
  const card = options.card === null ? undefined : (options.card ?? new VirtualSmartCard());
  const device = new VirtualUsbCcidDevice({
    profile: options.profile ?? GEMPC_PINPAD_USB_PROFILE,
    keypad: options.keypad ?? new FixedPinKeypad(DEFAULT_KEYPAD_PIN),
    cards: [card],
    timers: options.timers ?? nodeTimers,
  });
  const driver = CcidDriver.open(device, options.driver);
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  const now = options.now ?? (() => performance.now());
  const reader = new CcidDriverReader(VIRTUAL_READER_NAME, driver, 0, now, changed);
  let disposed = false;
  const started = reader.start().catch(() => undefined);

  const find = (name: string): CcidDriverReader => {
    if (disposed) throw new CardbenchError('unavailable', 'The built-in virtual reader was turned off.');
    if (name !== VIRTUAL_READER_NAME) throw new CardbenchError('operation-failed', `No reader named "${name}" in the virtual backend.`);
    return reader;
  };

  return {
    kind: 'virtual',
    device,
    driver,
    status(): BackendStatus {
      return disposed ? { available: false, reason: 'The built-in virtual reader is turned off.' } : { available: true };
    },
    readers(): BackendReader[] {
      return disposed ? [] : [reader.snapshot()];
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    settled: () => started,
    async transmit(name: string, apdu: Uint8Array, options?: ReaderTransmitOptions): Promise<ReaderTransmitResult> {
      return find(name).transmit(apdu, options?.signal);
    },
    async control(name: string, controlCode: number, data: Uint8Array, options?: ReaderCallOptions): Promise<Uint8Array> {
      return find(name).control(controlCode, data, options?.signal);
    },
    async securePinEntry(name: string, entry: SecurePinEntry): Promise<SecurePinAnswer> {
      return find(name).securePinEntry(entry);
    },
    async abortPinEntry(name: string): Promise<boolean> {
      return name === VIRTUAL_READER_NAME && !disposed ? reader.abortPinEntry() : false;
    },
    ccidDescriptor(name: string): Uint8Array | undefined {
      return name === VIRTUAL_READER_NAME && !disposed ? Uint8Array.from(device.info.classDescriptor) : undefined;
    },
    async disconnect(name: string, disposition?: Disposition): Promise<void> {
      return find(name).disconnect(disposition);
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      // Closing first cancels whatever is still waiting on the device (a mute card), so nothing here waits for a timeout.
      await driver.close();
      await started;
      changed();
      listeners.clear();
    },
  };
}
