/**
 * The one window factory. Every BrowserWindow the app opens comes from here, so the secure
 * settings and the navigation/window-open guards cannot be forgotten on a new window.
 */
import { BrowserWindow, nativeTheme } from 'electron';
import { WINDOW_OPEN_DECISION, isNavigationAllowed } from '../security/navigation.js';
import { APP_ENTRY_URL } from '../security/app-origin.js';
import { secureWebPreferences } from '../security/web-preferences.js';

export function createMainWindow(preloadPath: string, development: boolean): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 520,
    title: 'Cardbench',
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
    webPreferences: secureWebPreferences(preloadPath, { development }),
  });
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => WINDOW_OPEN_DECISION);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
