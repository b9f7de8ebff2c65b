import { describe, expect, it } from 'vitest';
import { parseCaptureBytes, type UsbPacket } from '#core/capture/index.js';
import { concatBytes, darwin, epb, hex, idb, pcapHeader, pcapngOf, pcapRecord, shb, usbmon, usbpcap } from './capture-builder.js';

const GET_DEVICE_DESCRIPTOR = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00];

function fields(p: UsbPacket) {
  return {
    frame: p.frame,
    bus: p.bus,
    device: p.device,
    endpoint: p.endpoint,
    direction: p.direction,
    transferType: p.transferType,
    event: p.event,
    status: p.status,
    statusOk: p.statusOk,
    dataLength: p.dataLength,
    truncated: p.truncated,
    data: Array.from(p.data),
  };
}

describe('usbmon (189 / 220)', () => {
  it('decodes a 64-byte header bulk OUT submit with its data and the URB id', () => {
    const record = usbmon({
      id: 0xffff8c87824ede40n,
      event: 'S',
      transfer: 3,
      endpoint: 0x03,
      device: 2,
      status: -115,
      data: [0x65, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    });
    const { packets, problems } = parseCaptureBytes(pcapngOf(220, [record]));
    expect(problems).toEqual([]);
    expect(fields(packets[0]!)).toEqual({
      frame: 1,
      bus: 1,
      device: 2,
      endpoint: 3,
      direction: 'out',
      transferType: 'bulk',
      event: 'submit',
      status: -115,
      statusOk: true,
      dataLength: 10,
      truncated: false,
      data: [0x65, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    });
    expect(packets[0]!.urbId).toBe(0xffff8c87824ede40n);
    expect(packets[0]!.endpointAddress).toBe(0x03);
  });

  it('reads the setup packet of a control submit and the 48-byte header variant', () => {
    const record = usbmon({ event: 'S', transfer: 2, endpoint: 0x80, device: 1, setup: GET_DEVICE_DESCRIPTOR, length: 18 }, false);
    const { packets } = parseCaptureBytes(concatBytes(pcapHeader(189), pcapRecord(0, 0, record)));
    expect(packets[0]!.setup).toEqual({ bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 18 });
    expect(packets[0]!.headerLength).toBe(48);
    expect(packets[0]!.dataLength).toBe(0); // an IN submit carries no data
  });

  it('follows the byte order of the file (big-endian host)', () => {
    const record = usbmon(
      { id: 0x0102030405060708n, event: 'C', transfer: 3, endpoint: 0x82, device: 5, bus: 0x0102, length: 2, data: [0x90, 0x00] },
      true,
      false,
    );
    const { packets } = parseCaptureBytes(concatBytes(pcapHeader(220, { le: false }), pcapRecord(0, 0, record, { le: false })));
    expect(packets[0]).toMatchObject({ bus: 0x0102, device: 5, direction: 'in', event: 'complete', dataLength: 2 });
    expect(packets[0]!.urbId).toBe(0x0102030405060708n);
  });

  it('skips isochronous descriptors before the data (64-byte header only)', () => {
    const record = usbmon({ event: 'C', transfer: 0, endpoint: 0x81, device: 3, ndesc: 2, isoDescriptors: 2, data: [0xaa, 0xbb] });
    const { packets } = parseCaptureBytes(pcapngOf(220, [record]));
    expect(packets[0]).toMatchObject({ transferType: 'isochronous', headerLength: 64 + 32 });
    expect(Array.from(packets[0]!.data)).toEqual([0xaa, 0xbb]);
  });

  it('marks data cut by usbmon (len_cap < length) as truncated', () => {
    const record = usbmon({ event: 'C', transfer: 3, endpoint: 0x82, device: 2, length: 300, lenCap: 4, data: [1, 2, 3, 4] });
    const { packets } = parseCaptureBytes(pcapngOf(220, [record]));
    expect(packets[0]).toMatchObject({ dataLength: 300, capturedLength: 4, truncated: true });
  });

  it("takes QEMU's len_cap (header + data) no further than the record", () => {
    // QEMU device side: len_cap = 64 + n.
    const record = usbmon({
      event: 'C',
      transfer: 2,
      endpoint: 0x80,
      device: 1,
      length: 8,
      lenCap: 72,
      data: hex('12 01 10 01 00 00 00 40'),
    });
    const { packets } = parseCaptureBytes(pcapngOf(220, [record]));
    expect(packets[0]).toMatchObject({ dataLength: 8, capturedLength: 8, truncated: false });
  });

  it('reports a record shorter than its header and goes on', () => {
    const good = usbmon({ event: 'S', transfer: 3, endpoint: 0x03, device: 2, data: [1] });
    const { packets, problems } = parseCaptureBytes(pcapngOf(220, [good.subarray(0, 30), good]));
    expect(packets.map((p) => p.frame)).toEqual([2]);
    expect(problems).toMatchObject([{ code: 'truncated', frame: 1 }]);
  });
});

describe('USBPcap (249)', () => {
  it('decodes the control setup stage and the completion stage', () => {
    const setup = usbpcap({
      irp: 0n,
      completion: false,
      device: 2,
      endpoint: 0x80,
      transfer: 2,
      stage: 0,
      function: 0x0b,
      data: GET_DEVICE_DESCRIPTOR,
    });
    const answer = usbpcap({
      irp: 0n,
      completion: true,
      device: 2,
      endpoint: 0x80,
      transfer: 2,
      stage: 3,
      function: 0x08,
      data: hex('12 01 01 02 00 00 00 08 e3 2c 63 95 20 01 01 02 00 01'),
    });
    const { packets, controlTransfers } = parseCaptureBytes(pcapngOf(249, [setup, answer]));
    expect(packets[0]).toMatchObject({ event: 'submit', controlStage: 'setup', capturedLength: 0, setup: { bRequest: 6, wValue: 0x100 } });
    expect(packets[1]).toMatchObject({ event: 'complete', controlStage: 'complete', dataLength: 18 });
    expect(controlTransfers).toHaveLength(1);
    expect(controlTransfers[0]).toMatchObject({ device: '1.2', submitFrame: 1, completeFrame: 2, direction: 'in' });
  });

  it('reads bulk IN completions with the IRP id and USBD status', () => {
    const record = usbpcap({
      irp: 0xffffab8e54eea520n,
      completion: true,
      device: 2,
      endpoint: 0x83,
      transfer: 3,
      status: 0xc0000004,
      data: [0x80],
    });
    const { packets } = parseCaptureBytes(pcapngOf(249, [record]));
    expect(packets[0]).toMatchObject({
      direction: 'in',
      endpoint: 3,
      transferType: 'bulk',
      event: 'complete',
      status: 0xc0000004,
      statusOk: false,
    });
    expect(packets[0]!.urbId).toBe(0xffffab8e54eea520n);
  });

  it('rejects a header length outside the record', () => {
    const record = usbpcap({ completion: true, device: 2, endpoint: 0x83, transfer: 3 });
    record[0] = 200;
    const { packets, problems } = parseCaptureBytes(pcapngOf(249, [record]));
    expect(packets).toEqual([]);
    expect(problems).toMatchObject([{ code: 'bad-header-length', frame: 1 }]);
  });
});

describe('Darwin (266), from hand-built packets', () => {
  it('decodes a control submit (setup in the payload) and a bulk IN completion', () => {
    const submit = darwin({
      complete: false,
      ioLength: 8,
      device: 4,
      endpoint: 0x00,
      endpointType: 0,
      data: GET_DEVICE_DESCRIPTOR,
      id: 0xabcdn,
    });
    const bulk = darwin({
      complete: true,
      ioLength: 3,
      device: 4,
      endpoint: 0x82,
      endpointType: 2,
      data: [0x80, 1, 2],
      location: 0x21000000,
    });
    const { packets, problems } = parseCaptureBytes(pcapngOf(266, [submit, bulk]));
    expect(problems).toEqual([]);
    expect(packets[0]).toMatchObject({
      bus: 0x14,
      device: 4,
      transferType: 'control',
      event: 'submit',
      setup: { bmRequestType: 0x80, wLength: 18 },
      capturedLength: 0,
    });
    expect(packets[0]!.urbId).toBe(0xabcdn);
    expect(fields(packets[1]!)).toMatchObject({
      bus: 0x21,
      endpoint: 2,
      direction: 'in',
      transferType: 'bulk',
      event: 'complete',
      dataLength: 3,
      data: [0x80, 1, 2],
    });
  });
});

describe('unknown link types', () => {
  it('are reported once per interface; other interfaces go on', () => {
    const usb = usbmon({ event: 'S', transfer: 3, endpoint: 0x03, device: 2, data: [1] });
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 1 }),
      idb({ linkType: 220 }),
      epb(0, 1n, Uint8Array.of(1, 2, 3)),
      epb(1, 2n, usb),
      epb(0, 3n, Uint8Array.of(4, 5, 6)),
    );
    const { packets, problems, frames } = parseCaptureBytes(bytes);
    expect(frames).toBe(3);
    expect(packets.map((p) => p.frame)).toEqual([2]);
    expect(problems).toMatchObject([{ code: 'unsupported-link-type', frame: 1 }]);
    expect(problems[0]!.message).toContain('Ethernet');
  });
});
