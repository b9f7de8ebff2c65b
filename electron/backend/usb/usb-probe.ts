import { existsSync } from 'node:fs';
import type { BackendStatus } from '#core/ipc/app-info.js';
import { loadNativeModule } from '../native-module.js';

/** The slice of `usb` (legacy 2.x API) the probe needs. */
interface UsbModule {
  getDeviceList(): unknown[];
}

export interface UsbProbeEnvironment {
  platform: NodeJS.Platform;
  /** Whether the kernel exposes a USB bus (Linux: /sys/bus/usb). */
  hasUsbBus: () => boolean;
  loadUsb: () => ReturnType<typeof loadNativeModule<UsbModule>>;
}

export const defaultUsbProbeEnvironment: UsbProbeEnvironment = {
  platform: process.platform,
  hasUsbBus: () => existsSync('/sys/bus/usb'),
  loadUsb: () => loadNativeModule<UsbModule>('usb'),
};

/**
 * Can we talk to USB devices directly? Checked before loading `usb`, because on a system with
 * no USB bus at all some versions of the module crash the process from a native callback.
 */
export function probeUsb(env: UsbProbeEnvironment = defaultUsbProbeEnvironment): BackendStatus {
  if (env.platform === 'linux' && !env.hasUsbBus()) {
    return {
      available: false,
      reason: 'USB access unavailable: this system has no USB bus (/sys/bus/usb is missing, as in containers and some VMs).',
    };
  }
  const loaded = env.loadUsb();
  if (!loaded.ok) {
    return {
      available: false,
      reason: 'USB access unavailable: the USB library could not be loaded (libusb/libudev missing?).',
      detail: loaded.error,
    };
  }
  try {
    loaded.module.getDeviceList();
    return { available: true };
  } catch (error) {
    return {
      available: false,
      reason: 'USB access unavailable: listing devices failed (permissions? on Linux add a udev rule for your reader).',
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}
