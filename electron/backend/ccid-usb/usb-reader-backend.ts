/**
 * Direct USB CCID readers as a ReaderBackend (kind 'usb'): every CCID interface found on the bus
 * is opened with the TypeScript CCID driver, one reader per slot. Where there is no USB at all
 * (containers, this CI) it reports why and lists nothing; it never touches the `usb` module then,
 * because some of its versions crash the process from native callbacks on a machine without a bus.
 */
import type { BackendStatus } from '#core/ipc/app-info.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { CcidDriver } from '#core/ccid/host/ccid-driver.js';
import { intHex } from '#core/bytes/hex.js';
import { loadNativeModule } from '../native-module.js';
import type {
  BackendReader,
  Disposition,
  ReaderBackend,
  ReaderCallOptions,
  ReaderTransmitOptions,
  ReaderTransmitResult,
  SecurePinEntry,
} from '../reader-backend.js';
import { probeUsb } from '../usb/usb-probe.js';
import { CcidDriverReader } from './ccid-driver-reader.js';
import { ClaimError, openUsbCcidTransport } from './usb-transport.js';
import { findCcidInterfaces } from './find-ccid-interfaces.js';
import type { UsbDeviceLike, UsbLib } from './usb-lib.js';

export interface UsbReaderBackendOptions {
  /** Availability check; default: the real probe (no bus → unavailable with the reason). */
  probe?: () => BackendStatus;
  /** The `usb` module; default: loaded lazily, only after the probe said yes. */
  lib?: UsbLib;
}

interface OpenReader {
  device: UsbDeviceLike;
  reader: CcidDriverReader;
  driver: CcidDriver;
  classDescriptor: Uint8Array;
}

export interface UsbReaderBackend extends ReaderBackend {
  /** Devices that have a CCID interface but could not be opened, with what to do. */
  problems(): string[];
}

export function createUsbReaderBackend(options: UsbReaderBackendOptions = {}): UsbReaderBackend {
  const status = (options.probe ?? probeUsb)();
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((listener) => listener());
  const open = new Map<string, OpenReader>();
  const problems: string[] = [];
  let lib: UsbLib | undefined = options.lib;
  let disposed = false;

  const attach = (device: UsbDeviceLike): Promise<void> => openDevice(device);
  const detach = (device: UsbDeviceLike): void => {
    for (const [name, entry] of open) {
      if (entry.device !== device) continue;
      open.delete(name);
      void entry.driver.close().catch(() => undefined);
    }
    changed();
  };

  async function openDevice(device: UsbDeviceLike): Promise<void> {
    for (const candidate of findCcidInterfaces(device)) {
      const id = `${intHex(device.deviceDescriptor.idVendor, 4)}:${intHex(device.deviceDescriptor.idProduct, 4)}`;
      try {
        const transport = await openUsbCcidTransport(device, candidate);
        const driver = CcidDriver.open(transport);
        const base = `${transport.info.product ?? 'CCID reader'} [${id}] (${transport.info.location})`;
        for (let slot = 0; slot < driver.slotCount; slot++) {
          const name = driver.slotCount > 1 ? `${base} slot ${slot}` : base;
          const reader = new CcidDriverReader(name, driver, slot, () => performance.now(), changed);
          open.set(name, { device, reader, driver, classDescriptor: candidate.classDescriptor });
          void reader.start().catch(() => undefined);
        }
      } catch (error) {
        const advice = error instanceof ClaimError ? error.advice : error instanceof Error ? error.message : String(error);
        problems.push(`${id} at usb ${device.busNumber}-${device.deviceAddress}: ${advice}`);
      }
    }
    changed();
  }

  const started = (async () => {
    if (!status.available) return;
    if (!lib) {
      const loaded = loadNativeModule<UsbLib>('usb');
      if (!loaded.ok) {
        problems.push(`The USB library could not be loaded: ${loaded.error}`);
        return;
      }
      lib = loaded.module;
    }
    lib.on?.('attach', attach);
    lib.on?.('detach', detach);
    let devices: UsbDeviceLike[] = [];
    try {
      devices = lib.getDeviceList();
    } catch (error) {
      problems.push(`Listing USB devices failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const device of devices) await openDevice(device);
  })();

  const find = (name: string): OpenReader => {
    if (!status.available) throw new CardbenchError('unavailable', status.reason ?? 'USB access unavailable.');
    const entry = open.get(name);
    if (!entry) throw new CardbenchError('operation-failed', `No USB reader named "${name}".`);
    return entry;
  };

  return {
    kind: 'usb',
    status: () => (status.available && problems.length > 0 ? { available: true, detail: problems.join(' ') } : status),
    problems: () => [...problems],
    readers: (): BackendReader[] => (disposed ? [] : [...open.values()].map((entry) => entry.reader.snapshot())),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    settled: () => started,
    transmit: async (name: string, apdu: Uint8Array, options?: ReaderTransmitOptions): Promise<ReaderTransmitResult> =>
      find(name).reader.transmit(apdu, options?.signal),
    control: async (name: string, code: number, data: Uint8Array, options?: ReaderCallOptions) =>
      find(name).reader.control(code, data, options?.signal),
    securePinEntry: async (name: string, entry: SecurePinEntry) => find(name).reader.securePinEntry(entry),
    abortPinEntry: async (name: string) => open.get(name)?.reader.abortPinEntry() ?? false,
    ccidDescriptor: (name: string) => open.get(name)?.classDescriptor,
    disconnect: async (name: string, disposition?: Disposition) => find(name).reader.disconnect(disposition),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await started;
      lib?.removeListener?.('attach', attach);
      lib?.removeListener?.('detach', detach);
      for (const entry of new Set([...open.values()].map((e) => e.driver))) await entry.close().catch(() => undefined);
      open.clear();
      changed();
      listeners.clear();
    },
  };
}
