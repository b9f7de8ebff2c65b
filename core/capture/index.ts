/**
 * core/capture: pcap/pcapng (container-reader under both) → USB packets (usbmon, USBPcap, Darwin)
 * → transfers and devices → CCID messages (ccid-stream finds the endpoints,
 * ccid-message-assembler rebuilds the messages). Also the formats of APDU-level traces: Wireshark's
 * exported PDU (link type 252, exported-pdu) and pcsc-spy's raw log (pcsc-spy-log).
 */
export * from './byte-source.js';
export * from './capture-pipeline.js';
export * from './capture-types.js';
export * from './container-reader.js';
export * from './ccid-stream.js';
export * from './ccid-message-assembler.js';
export * from './darwin.js';
export * from './exported-pdu.js';
export * from './format-detect.js';
export * from './link-types.js';
export * from './pcap.js';
export * from './pcapng.js';
export * from './pcsc-spy-log.js';
export * from './timestamps.js';
export * from './usb-descriptors.js';
export * from './usb-devices.js';
export * from './usb-packet.js';
export * from './usb-transfers.js';
export * from './usbmon.js';
export * from './usbpcap.js';
