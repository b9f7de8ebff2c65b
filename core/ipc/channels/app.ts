/**
 * App-wide channels that belong to no workbench: the UI preferences kept in the settings store
 * (so the desktop app and browser mode share them) and saving an export through the desktop
 * app's native save dialog.
 */
import { z } from 'zod';
import { channel } from './define.js';
import { THEMES, type Theme } from './values.js';

export { THEMES, type Theme };

export interface UiPreferences {
  /** 'system' follows the operating system's light or dark setting. */
  theme: Theme;
}

export interface SaveFileResult {
  /** Where the file was written; null when the user cancelled the dialog. */
  path: string | null;
}

/**
 * Exports are built as text in memory before they are saved (capture JSON, reports); this bounds
 * what one save may carry. V8 strings stop near 2^29 characters anyway.
 */
export const MAX_SAVE_TEXT_LENGTH = 256 * 1024 * 1024;

export const appChannels = {
  'app.preferences': channel<UiPreferences>()(z.object({}).strict()),
  'app.setPreferences': channel<UiPreferences>()(z.object({ theme: z.enum(THEMES) }).strict()),
  /** Desktop app only: asks where to save (suggesting fileName) and writes the text there. */
  'app.saveFile': channel<SaveFileResult>()(
    z
      .object({
        fileName: z.string().min(1).max(255),
        mimeType: z.string().min(1).max(100),
        text: z.string().max(MAX_SAVE_TEXT_LENGTH),
      })
      .strict(),
  ),
} as const;
