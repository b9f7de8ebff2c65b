/**
 * Saving what the backend or a workbench produced (reports, exports, profiles) as a file: the
 * browser's download in browser mode, the native save dialog in the desktop app (the shell turns
 * it on once it knows it runs in Electron).
 */
import type { Api } from '#core/ipc/contract.js';

/** Where a save went: a path (native dialog), 'download' (the browser's), or null (cancelled). */
export type SaveOutcome = { path: string } | { download: true } | { cancelled: true };

let nativeSave: Api | undefined;

/** The desktop app saves through its native dialog (app.saveFile); undefined goes back to downloads. */
export function useNativeSave(api: Api | undefined): void {
  nativeSave = api;
}

/**
 * Saves `text` under `fileName`; UTF-8 unless the type already names a charset. Never loses the
 * export: should the native dialog fail, the browser's download takes over.
 */
export async function downloadText(fileName: string, text: string, mimeType = 'text/plain'): Promise<SaveOutcome> {
  if (nativeSave) {
    try {
      const { path } = await nativeSave.invoke('app.saveFile', { fileName, mimeType, text });
      return path === null ? { cancelled: true } : { path };
    } catch {
      // Fall through to the download below.
    }
  }
  browserDownload(fileName, text, mimeType);
  return { download: true };
}

function browserDownload(fileName: string, text: string, mimeType: string): void {
  const type = /;\s*charset=/i.test(mimeType) ? mimeType : `${mimeType};charset=utf-8`;
  downloadBlob(fileName, new Blob([text], { type }));
}

/** Binary bytes as a browser download (a recording in browser mode). */
export function downloadBytes(fileName: string, bytes: Uint8Array<ArrayBuffer>, mimeType = 'application/octet-stream'): void {
  downloadBlob(fileName, new Blob([bytes], { type: mimeType }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  // Firefox follows a click only on a link that is in the document.
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: a large download may still be reading the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** 'ACME Reader 00 00' → 'acme-reader-00-00', for file names. */
export function fileSafe(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'reader'
  );
}

/**
 * A reader report's file name: what it holds, from the reader's own name without the app's
 * ("Cardbench Virtual Pinpad" → virtual-pinpad-report.json, not cardbench-cardbench-…).
 */
export function readerReportFileName(readerName: string, extension: 'json' | 'txt'): string {
  const withoutApp = readerName.replace(/^\s*cardbench\b[\s:-]*/i, '');
  return `${fileSafe(withoutApp || readerName)}-report.${extension}`;
}
