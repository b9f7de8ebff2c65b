/**
 * Web permissions the renderer may get. A smart card tool needs none of them: camera, mic,
 * geolocation, notifications, HID/serial/USB from the page (we talk to devices from the main
 * process, never from web APIs) are all refused. Clipboard writes go through the normal user
 * gesture path and need no grant. The table is explicit so a reviewer sees every decision.
 */
export const PERMISSION_TABLE: Readonly<Record<string, boolean>> = {
  'clipboard-read': false,
  'clipboard-sanitized-write': false,
  'display-capture': false,
  fullscreen: false,
  geolocation: false,
  hid: false,
  'idle-detection': false,
  media: false,
  mediaKeySystem: false,
  midi: false,
  midiSysex: false,
  notifications: false,
  openExternal: false,
  pointerLock: false,
  serial: false,
  'storage-access': false,
  'top-level-storage-access': false,
  usb: false,
  'window-management': false,
};

/** Unknown permissions (new Electron versions add some) are denied too. */
export function isPermissionGranted(permission: string): boolean {
  return Object.hasOwn(PERMISSION_TABLE, permission) ? PERMISSION_TABLE[permission] === true : false;
}
