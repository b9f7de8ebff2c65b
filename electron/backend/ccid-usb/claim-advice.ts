/**
 * Why opening or claiming a reader failed, in words that say who probably holds it and how to
 * free it — the conflict the GnuPG and PC/SC FAQs describe, explained by the tool itself.
 */

export function claimFailureAdvice(error: unknown, platform: NodeJS.Platform = process.platform): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/BUSY/i.test(text)) {
    return (
      'The reader is in use by another program. Usually that is pcscd with libccid (stop it — `sudo systemctl stop pcscd.socket pcscd` — ' +
      'or use the PC/SC backend instead), GnuPG scdaemon in direct CCID mode (add `disable-ccid` to ~/.gnupg/scdaemon.conf and ' +
      '`gpgconf --kill scdaemon`), or another Cardbench window.'
    );
  }
  if (/ACCESS/i.test(text)) {
    return platform === 'linux'
      ? 'Permission denied: give your user access to the reader with a udev rule (libccid ships one: 92_pcscd_ccid.rules) or run with the right group.'
      : 'Permission denied by the operating system for this USB device.';
  }
  if (/NO_DEVICE|NOT_FOUND/i.test(text)) return 'The reader was unplugged.';
  if (/NOT_SUPPORTED/i.test(text) && platform === 'win32') {
    return 'Windows has its own driver on this reader: direct access needs WinUSB (e.g. with Zadig); otherwise use the PC/SC backend.';
  }
  return `USB error: ${text}`;
}
