import type { BackendStatus } from '#core/ipc/app-info.js';
import type { BackendProbes } from '../../electron/backend/backend.js';

/**
 * Probes whose answers a test controls. PC/SC and USB availability are facts about the machine;
 * tests of transports and UI must not depend on them (the integration tier checks the real ones).
 */
export function controllableProbes(initial: {
  pcsc: BackendStatus;
  usb: BackendStatus;
}): BackendProbes & { setPcsc(status: BackendStatus): void } {
  let pcsc = initial.pcsc;
  return {
    pcsc: () => pcsc,
    usb: () => initial.usb,
    setPcsc(status) {
      pcsc = status;
    },
  };
}
