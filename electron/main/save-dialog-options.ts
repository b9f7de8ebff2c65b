/**
 * What the native save dialog is asked, from an export's suggested name and type: pure, so it is
 * tested where Electron cannot run (save-dialog.ts shows it).
 */
import { extname, join } from 'node:path';

export interface SaveDialogRequest {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: ['createDirectory', 'showOverwriteConfirmation'];
}

const KINDS: Record<string, string> = {
  json: 'JSON',
  txt: 'Text',
  script: 'scriptor script',
  pcapng: 'USB capture',
};

/** The suggestion keeps only a file name: an export never chooses the folder it lands in. */
export function saveDialogRequest(fileName: string, mimeType: string, folder: string): SaveDialogRequest {
  const name = fileName.split(/[\\/]/).pop()?.replace(/^\.+/, '') || 'cardbench-export.txt';
  const extension = extname(name).slice(1).toLowerCase();
  const kind = KINDS[extension] ?? (mimeType.startsWith('application/json') ? 'JSON' : 'Text');
  const filters = extension ? [{ name: kind, extensions: [extension] }] : [];
  return {
    title: 'Save export',
    defaultPath: join(folder, name),
    filters: [...filters, { name: 'All files', extensions: ['*'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}
