/**
 * SCardControl control codes. pcsc-lite and WinSCard build SCARD_CTL_CODE differently, so the
 * same feature request has two numbers; both are needed to read logs from either platform.
 */

export type ControlCodePlatform = 'pcsc-lite' | 'windows';

/** pcsc-lite: 0x42000000 + code. */
export function scardCtlCodeLinux(code: number): number {
  return (0x42000000 + code) >>> 0;
}

/** WinSCard: CTL_CODE(FILE_DEVICE_SMARTCARD 0x31, code, METHOD_BUFFERED, FILE_ANY_ACCESS). */
export function scardCtlCodeWindows(code: number): number {
  return ((0x31 << 16) | (code << 2)) >>> 0;
}

export function scardCtlCode(code: number, platform: ControlCodePlatform): number {
  return platform === 'windows' ? scardCtlCodeWindows(code) : scardCtlCodeLinux(code);
}

/** Function number of CM_IOCTL_GET_FEATURE_REQUEST (PC/SC part 10 §2.2). */
export const GET_FEATURE_REQUEST_FUNCTION = 3400;

export const CM_IOCTL_GET_FEATURE_REQUEST_LINUX = scardCtlCodeLinux(GET_FEATURE_REQUEST_FUNCTION);
export const CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS = scardCtlCodeWindows(GET_FEATURE_REQUEST_FUNCTION);

export function getFeatureRequestCode(platform: ControlCodePlatform): number {
  return scardCtlCode(GET_FEATURE_REQUEST_FUNCTION, platform);
}

/**
 * libccid's feature ioctls are SCARD_CTL_CODE(0x330000 + feature tag) (its CLASS2_IOCTL_MAGIC),
 * e.g. VERIFY_PIN_DIRECT = 0x42330006; only the reader's GET_FEATURE_REQUEST answer is
 * authoritative, this is for recognising codes in logs.
 */
export const LIBCCID_IOCTL_MAGIC = 0x330000;

export interface ControlCodeInfo {
  platform: ControlCodePlatform;
  /** The function number given to SCARD_CTL_CODE. */
  functionNumber: number;
}

/** Inverts SCARD_CTL_CODE; undefined when the number has neither platform's shape. */
export function decodeControlCode(code: number): ControlCodeInfo | undefined {
  const c = code >>> 0;
  if ((c & 0xff000000) === 0x42000000) return { platform: 'pcsc-lite', functionNumber: c - 0x42000000 };
  if (c >>> 16 === 0x31 && (c & 0x3) === 0) return { platform: 'windows', functionNumber: (c & 0xffff) >> 2 };
  return undefined;
}
