import type { BackendStatus } from '#core/ipc/app-info.js';

/** The "Desktop app" line of the status bar, for each way the backend can be served. */
export function electronStatusFor(shell: 'electron' | 'browser' | 'cli', whyNotElectron?: string): BackendStatus {
  if (shell === 'electron') return { available: true };
  const reason =
    shell === 'browser' ? 'Browser mode: native file dialogs and file associations need the desktop app.' : 'Command line: no window.';
  return whyNotElectron ? { available: false, reason, detail: whyNotElectron } : { available: false, reason };
}
