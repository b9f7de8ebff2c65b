/**
 * The slice of the `usb` package (2.x legacy API) the CCID adapter uses, typed structurally so
 * tests can hand in an object of the same shape: a USB bus cannot exist on a machine without
 * one, so the fake stands in for the bus only, behind exactly this interface.
 */

export interface UsbLibException extends Error {
  errno?: number;
}

export interface UsbEndpointDescriptorLike {
  bEndpointAddress: number;
  bmAttributes: number;
  wMaxPacketSize: number;
}

export interface UsbInterfaceDescriptorLike {
  bInterfaceNumber: number;
  bAlternateSetting: number;
  bInterfaceClass: number;
  /** Class-specific descriptors that follow the interface descriptor (the CCID one is type 0x21). */
  extra: Uint8Array;
  endpoints: UsbEndpointDescriptorLike[];
}

export interface UsbInEndpointLike {
  timeout: number;
  transfer(length: number, callback: (error: UsbLibException | undefined, data?: Uint8Array) => void): unknown;
  startPoll?(transfers?: number, size?: number): void;
  stopPoll?(callback?: () => void): void;
  on(event: 'data', listener: (data: Uint8Array) => void): unknown;
  on(event: 'error', listener: (error: UsbLibException) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface UsbOutEndpointLike {
  timeout: number;
  transfer(data: Uint8Array, callback: (error: UsbLibException | undefined) => void): unknown;
}

export interface UsbInterfaceLike {
  claim(): void;
  release(callback: (error?: UsbLibException) => void): void;
  isKernelDriverActive(): boolean;
  detachKernelDriver(): void;
  endpoint(address: number): UsbInEndpointLike | UsbOutEndpointLike | undefined;
}

export interface UsbDeviceLike {
  busNumber: number;
  deviceAddress: number;
  portNumbers?: number[];
  deviceDescriptor: {
    idVendor: number;
    idProduct: number;
    bcdDevice: number;
    iManufacturer: number;
    iProduct: number;
    iSerialNumber: number;
  };
  configDescriptor?: { interfaces: UsbInterfaceDescriptorLike[][] } | undefined;
  open(defaultConfig?: boolean): void;
  close(): void;
  interface(number: number): UsbInterfaceLike;
  controlTransfer(
    bmRequestType: number,
    bRequest: number,
    wValue: number,
    wIndex: number,
    dataOrLength: number | Uint8Array,
    callback: (error: UsbLibException | undefined, data?: Uint8Array | number) => void,
  ): unknown;
  getStringDescriptor(index: number, callback: (error?: UsbLibException, value?: string) => void): void;
}

export interface UsbLib {
  getDeviceList(): UsbDeviceLike[];
  on?(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
  removeListener?(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
}
