export * from './usb-faults.js';
export * from './usb-reader-profiles.js';
export * from './virtual-usb-ccid-device.js';
