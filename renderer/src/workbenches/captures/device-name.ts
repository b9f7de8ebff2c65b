/** A capture device in one line: its id, VID:PID and product name when the capture told them ("1.2 08e6:4433 QEMU USB CCID"). */
import type { CaptureDevice } from '#core/ipc/channels/captures.js';

export function deviceName(device: Pick<CaptureDevice, 'id' | 'vendorId' | 'productId' | 'product'>): string {
  const ids = device.vendorId ? ` ${device.vendorId}:${device.productId ?? '????'}` : '';
  return `${device.id}${ids}${device.product ? ` ${device.product}` : ''}`;
}
