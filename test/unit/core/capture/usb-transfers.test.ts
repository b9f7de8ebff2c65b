import { describe, expect, it } from 'vitest';
import { parseCaptureBytes, parseConfigurationDescriptor, parseStringDescriptor } from '#core/capture/index.js';
import { hex, pcapngOf, usbmon, type UsbmonFields } from './capture-builder.js';

/** The configuration descriptor of the GCC capture's reader (2ce3:9563), frame 16, as tshark shows it. */
const GCC_CONFIGURATION = hex(
  '09 02 5d 00 01 01 00 80 19 09 04 00 00 03 0b 00 00 00 36 21 10 01 00 07 03 00 00 00 a0 0f 00 00 e0 2e 00 00' +
    ' 03 01 2a 00 00 2c 80 0a 00 5f fe 00 00 00 07 00 00 00 00 00 00 00 be 04 04 00 10 01 00 00 ff ff' +
    ' 00 00 00 01 07 05 81 03 04 00 01 07 05 02 02 10 00 00 07 05 83 02 10 00 00',
);

let nextId = 0x1000n;
/** A URB as a submit/complete pair of usbmon records. */
function urb(f: Omit<UsbmonFields, 'event'> & { answer?: number[]; status?: number }): Uint8Array[] {
  const id = nextId++;
  const isIn = (f.endpoint & 0x80) !== 0;
  const submit = usbmon({
    ...f,
    id,
    event: 'S',
    status: -115,
    data: isIn ? [] : (f.data ?? []),
    length: f.length ?? (isIn ? 64 : (f.data?.length ?? 0)),
  });
  const answer = isIn ? (f.answer ?? []) : [];
  const complete = usbmon({
    id,
    event: 'C',
    transfer: f.transfer,
    endpoint: f.endpoint,
    device: f.device,
    status: f.status ?? 0,
    data: answer,
    length: isIn ? answer.length : (f.data?.length ?? 0),
  });
  return [submit, complete];
}

function getDescriptor(device: number, type: number, index: number, answer: number[]): Uint8Array[] {
  return urb({ transfer: 2, endpoint: 0x80, device, setup: [0x80, 6, index, type, 0, 0, answer.length, 0], answer });
}

const setAddress = (address: number) => urb({ transfer: 2, endpoint: 0x00, device: 0, setup: [0, 5, address, 0, 0, 0, 0, 0] });
const deviceDescriptor = (vendor: number, product: number) => [
  0x12,
  1,
  0x10,
  1,
  0,
  0,
  0,
  0x40,
  vendor & 0xff,
  vendor >> 8,
  product & 0xff,
  product >> 8,
  0,
  1,
  1,
  2,
  3,
  1,
];

describe('submit/complete pairing', () => {
  it('stamps OUT transfers with the submit frame and IN transfers with the completion frame', () => {
    const records = [
      ...urb({ transfer: 3, endpoint: 0x02, device: 2, data: [0x65, 0, 0, 0, 0, 0, 7, 0, 0, 0] }),
      ...urb({ transfer: 3, endpoint: 0x83, device: 2, answer: [0x81, 0, 0, 0, 0, 0, 7, 0, 0, 0] }),
    ];
    const { transfers } = parseCaptureBytes(pcapngOf(220, records));
    expect(transfers.map((t) => [t.frame, t.submitFrame, t.completeFrame, t.direction, t.device, t.data[0]])).toEqual([
      [1, 1, 2, 'out', '1.2', 0x65],
      [4, 3, 4, 'in', '1.2', 0x81],
    ]);
  });

  it('skips an OUT completion without its submit, keeps an IN one, and flushes OUT data never completed', () => {
    const orphanOut = usbmon({ id: 0x77n, event: 'C', transfer: 3, endpoint: 0x02, device: 2 });
    const orphanIn = usbmon({ id: 0x78n, event: 'C', transfer: 3, endpoint: 0x83, device: 2, data: [0x80, 1] });
    const pendingOut = usbmon({ id: 0x79n, event: 'S', transfer: 3, endpoint: 0x02, device: 2, data: [0x6f, 2] });
    const { transfers, usb } = parseCaptureBytes(pcapngOf(220, [orphanOut, orphanIn, pendingOut]));
    expect(transfers.map((t) => [t.frame, t.direction, t.completeFrame, t.status])).toEqual([
      [2, 'in', 2, 0],
      [3, 'out', undefined, undefined],
    ]);
    expect(usb.unmatchedCompletions).toBe(2);
  });

  it('pairs by URB id even when the completion reports another device address (QEMU SET_ADDRESS)', () => {
    const submit = usbmon({ id: 0n, event: 'S', transfer: 2, endpoint: 0x00, device: 0, setup: [0, 5, 1, 0, 0, 0, 0, 0] });
    const complete = usbmon({ id: 0n, event: 'C', transfer: 2, endpoint: 0x00, device: 1 });
    const { controlTransfers, devices } = parseCaptureBytes(pcapngOf(220, [submit, complete]));
    expect(controlTransfers).toHaveLength(1);
    expect(devices.map((d) => [d.key, d.identifiedBy])).toEqual([['1.1', 'set-address']]);
  });
});

describe('devices and descriptors', () => {
  it('starts a new identity when SET_ADDRESS reuses an address, carrying the address-0 descriptor over', () => {
    const records = [
      ...setAddress(2),
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x1111, 0x2222)),
      ...urb({ transfer: 3, endpoint: 0x81, device: 2, answer: [1] }),
      ...getDescriptor(0, 1, 0, deviceDescriptor(0x08e6, 0x4433).slice(0, 12)),
      ...setAddress(2),
      ...urb({ transfer: 3, endpoint: 0x81, device: 2, answer: [2] }),
    ];
    const { devices, transfers } = parseCaptureBytes(pcapngOf(220, records));
    expect(devices.map((d) => [d.key, d.generation, d.descriptor?.idVendor, d.descriptor?.idProduct])).toEqual([
      ['1.2', 1, 0x1111, 0x2222],
      ['1.2#2', 2, 0x08e6, 0x4433],
    ]);
    expect(transfers.map((t) => t.device)).toEqual(['1.2', '1.2#2']);
  });

  it('starts a new identity when a different device descriptor is read at a known address, not for a re-read', () => {
    const records = [
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x138a, 0x0097)),
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x138a, 0x0097).slice(0, 8)),
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x2ce3, 0x9563)),
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x2ce3, 0x9563)),
    ];
    const { devices } = parseCaptureBytes(pcapngOf(220, records));
    expect(devices.map((d) => [d.key, d.identifiedBy, d.descriptor?.idProduct])).toEqual([
      ['1.2', 'first-traffic', 0x0097],
      ['1.2#2', 'device-descriptor', 0x9563],
    ]);
  });

  it('harvests configuration, CCID interface and string descriptors', () => {
    const product = Array.from('EMV Smartcard Reader', (c) => [c.charCodeAt(0), 0]).flat();
    const records = [
      ...getDescriptor(2, 1, 0, deviceDescriptor(0x2ce3, 0x9563)),
      ...getDescriptor(2, 2, 0, GCC_CONFIGURATION.slice(0, 9)),
      ...getDescriptor(2, 2, 0, GCC_CONFIGURATION),
      ...getDescriptor(2, 3, 0, [4, 3, 0x09, 0x04]),
      ...getDescriptor(2, 3, 2, [2 + product.length, 3, ...product]),
    ];
    const { devices } = parseCaptureBytes(pcapngOf(220, records));
    const reader = devices[0]!;
    expect(reader.configurations).toHaveLength(1);
    expect(reader.configurations[0]!.interfaces[0]).toMatchObject({ bInterfaceClass: 0x0b, bInterfaceNumber: 0 });
    expect(reader.ccidInterfaces).toHaveLength(1);
    expect(reader.ccidInterfaces[0]).toMatchObject({ bulkIn: 3, bulkOut: 2, interruptIn: 1, maxMessageLength: 272 });
    expect(Array.from(reader.ccidInterfaces[0]!.descriptor.subarray(0, 2))).toEqual([0x36, 0x21]);
    expect(reader.languages).toEqual([0x0409]);
    expect(reader.product).toBe('EMV Smartcard Reader');
    expect(reader.strings[2]).toBe('EMV Smartcard Reader');
  });

  it('parses the GCC configuration into endpoints with their transfer types', () => {
    const { value, problems } = parseConfigurationDescriptor(Uint8Array.from(GCC_CONFIGURATION));
    expect(problems).toEqual([]);
    expect(value!.interfaces[0]!.endpoints.map((e) => [e.address, e.transferType, e.maxPacketSize])).toEqual([
      [0x81, 'interrupt', 4],
      [0x02, 'bulk', 16],
      [0x83, 'bulk', 16],
    ]);
  });

  it('keeps what it could read of a configuration with a lying bLength', () => {
    const broken = GCC_CONFIGURATION.slice();
    broken[9 + 9] = 200; // the CCID class descriptor claims 200 bytes
    const { value, problems } = parseConfigurationDescriptor(Uint8Array.from(broken));
    expect(value!.interfaces).toHaveLength(1);
    expect(value!.interfaces[0]!.ccid).toBeUndefined();
    expect(problems[0]).toContain('runs past');
  });

  it('finds a CCID descriptor inside a vendor-class interface only when it is 54 bytes', () => {
    const vendor = GCC_CONFIGURATION.slice();
    vendor[9 + 5] = 0xff;
    expect(parseConfigurationDescriptor(Uint8Array.from(vendor)).value!.interfaces[0]!.ccid).toBeDefined();
    const hid = [9, 2, 27, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 1, 3, 1, 2, 0, 9, 0x21, 0x11, 1, 0, 1, 0x22, 0x34, 0, 7, 5, 0x81, 3, 4, 0, 10];
    expect(parseConfigurationDescriptor(Uint8Array.from(hid)).value!.interfaces[0]!.ccid).toBeUndefined();
  });

  it('decodes UTF-16LE strings, surrogate pairs included', () => {
    expect(parseStringDescriptor(Uint8Array.of(8, 3, 0x41, 0, 0x3d, 0xd8, 0x00, 0xde), 1)).toEqual({ text: 'A😀' });
  });
});
