import type { Theme } from '#core/ipc/channels/app.js';

/**
 * Puts the theme on the root element; app.css reads `data-theme` (light and dark win over the
 * system's preference, 'system' follows it) and sets `color-scheme`, so scrollbars, form controls
 * and dialogs follow too.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}
