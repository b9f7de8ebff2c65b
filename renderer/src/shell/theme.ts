import type { Theme } from '#core/ipc/channels/app.js';

/**
 * Puts the theme on the root element; app.css reads `data-theme` (light and dark win over the
 * system's preference, 'system' follows it) and sets `color-scheme`, so scrollbars, form controls
 * and dialogs follow too.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}

/**
 * Calls `changed` whenever the colours in force may have changed: the theme attribute on the root
 * element, or the system's light/dark preference (which 'system' follows). For what reads colours
 * once and paints them (a canvas), since CSS variables alone do not repaint it. Returns the unsubscribe.
 */
export function onColoursChange(changed: () => void, root: HTMLElement = document.documentElement): () => void {
  const observer = new MutationObserver(() => changed());
  observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
  const scheme = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  scheme?.addEventListener('change', changed);
  return () => {
    observer.disconnect();
    scheme?.removeEventListener('change', changed);
  };
}
