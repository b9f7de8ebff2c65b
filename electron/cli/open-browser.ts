import { spawn } from 'node:child_process';

/** The command that opens a URL in the user's default browser, or why there is none. */
export function browserOpener(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): { command: string; args: string[] } | { reason: string } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { reason: 'no graphical session (DISPLAY/WAYLAND_DISPLAY unset)' };
  return { command: 'xdg-open', args: [] };
}

/** Best effort: failure to open a browser is reported, never fatal. */
export function openInBrowser(url: string, report: (line: string) => void): void {
  const opener = browserOpener(process.platform, process.env);
  if ('reason' in opener) {
    report(`Not opening a browser: ${opener.reason}. Open the URL above yourself.`);
    return;
  }
  const child = spawn(opener.command, [...opener.args, url], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => report(`Could not open a browser (${error.message}). Open the URL above yourself.`));
  child.unref();
}
