/** The desktop app's native save dialog for exports (the backend writes the file it returns). */
import { app, dialog, type BrowserWindow } from 'electron';
import type { SaveSuggestion } from '../backend/handlers/app-handlers.js';
import { saveDialogRequest } from './save-dialog-options.js';

export function nativeSavePath(window: () => BrowserWindow | undefined): (suggestion: SaveSuggestion) => Promise<string | null> {
  return async ({ fileName, mimeType }) => {
    const request = saveDialogRequest(fileName, mimeType, app.getPath('downloads'));
    const parent = window();
    const result = parent ? await dialog.showSaveDialog(parent, request) : await dialog.showSaveDialog(request);
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
