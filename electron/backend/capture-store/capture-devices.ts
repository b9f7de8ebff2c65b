/**
 * The capture's USB devices as the Captures workbench lists them: VID:PID, product name, how
 * many CCID messages each carried, and a CCID reader's class descriptor decoded field by field
 * (the same tree `cardbench inspect` and the Readers workbench show). CCID readers come first:
 * they are what a user opened the capture for; a mouse or a hub in the same trace follows, said
 * to carry no CCID traffic.
 */
import { encodeClassDescriptor, decodeClassDescriptor, EXCHANGE_LEVEL_NAMES } from '#core/ccid/class-descriptor.js';
import type { CaptureDevice } from '#core/ipc/channels/captures.js';
import type { TraceDevice } from '#core/trace/index.js';
import { toCaptureNode } from './row-decode.js';

/**
 * @param known the report's devices once the import ended (undefined while it runs)
 * @param names devices that carried CCID messages, in order of appearance
 * @param messages CCID messages per device name
 */
export function captureDevices(
  known: readonly TraceDevice[] | undefined,
  names: readonly string[],
  messages: ReadonlyMap<string, number>,
): CaptureDevice[] {
  const devices: CaptureDevice[] = (known ?? []).map((d) => describeDevice(d, messages.get(d.id) ?? 0));
  // While importing (or when the report lacks one), a device is known by the messages it carried.
  for (const name of names) {
    if (!devices.some((d) => d.id === name))
      devices.push({ id: name, vendorId: null, productId: null, messages: messages.get(name) ?? 0, ccidDetection: 'heuristic' });
  }
  return devices
    .map((device, order) => ({ device, order }))
    .sort((a, b) => rank(a.device) - rank(b.device) || a.order - b.order)
    .map(({ device }) => device);
}

/** Readers with traffic, then readers without, then the rest. */
function rank(device: CaptureDevice): number {
  if (device.ccidDetection === undefined) return 2;
  return device.messages > 0 ? 0 : 1;
}

function describeDevice(d: TraceDevice, messages: number): CaptureDevice {
  const device: CaptureDevice = { id: d.id, vendorId: d.vendorId, productId: d.productId, messages };
  if (d.product !== undefined) device.product = d.product;
  const detection = d.ccidDetection ?? (d.ccid ? 'descriptor' : undefined);
  if (detection) device.ccidDetection = detection;
  if (d.ccid) {
    // The report keeps the decoded fields; encoding them again gives the 54 bytes the tree is read from.
    const decoded = decodeClassDescriptor(encodeClassDescriptor(d.ccid));
    device.ccidDescriptor = {
      summary: `CCID ${d.ccid.version}, ${EXCHANGE_LEVEL_NAMES[d.ccid.features.exchangeLevel]}`,
      tree: [toCaptureNode(decoded.node)],
    };
  }
  return device;
}
