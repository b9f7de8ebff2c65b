/**
 * How the desktop app receives capture files: the native open dialog, a path on the command
 * line (`cardbench start trace.pcapng`, or the OS opening an associated file), and later ones
 * from a second instance or macOS's open-file event. Browser mode has none of these.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { CaptureHandlerOptions } from '../backend/handlers/capture-handlers.js';

export const CAPTURE_EXTENSIONS = ['pcapng', 'pcap', 'cap'];

/** Arguments that name an existing capture file (the rest are Chromium/Electron switches). */
export function captureFilesIn(argv: readonly string[], cwd: string): string[] {
  return argv
    .filter((arg) => !arg.startsWith('-') && CAPTURE_EXTENSIONS.includes(extname(arg).slice(1).toLowerCase()))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(cwd, arg)))
    .filter((path) => existsSync(path));
}

export function desktopCaptureOptions(window: () => BrowserWindow | undefined): CaptureHandlerOptions & {
  /** Give to app's 'second-instance' handler. */
  fromSecondInstance(argv: string[], cwd: string): void;
} {
  const listeners = new Set<(path: string) => void>();
  const request = (path: string): void => {
    for (const listener of listeners) listener(path);
  };
  let early: string[] = captureFilesIn(process.argv.slice(1), process.cwd());
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (listeners.size > 0) request(path);
    else early.push(path);
  });
  return {
    async pickFile() {
      const parent = window();
      const options = {
        title: 'Open a USB capture',
        properties: ['openFile' as const],
        filters: [
          { name: 'USB captures', extensions: CAPTURE_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    launchFiles() {
      const paths = early;
      early = [];
      return paths;
    },
    openRequests(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fromSecondInstance(argv, cwd) {
      for (const path of captureFilesIn(argv.slice(1), cwd)) request(path);
    },
  };
}
