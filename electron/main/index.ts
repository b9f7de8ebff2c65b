/**
 * Electron main process: security switches first, then one window served from app://, wired to
 * the same backend that browser mode and the CLI use.
 */
import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { createBackend } from '../backend/backend.js';
import { electronStatusFor } from '../backend/electron-status.js';
import { useDesktopLayout } from '../backend/pcsc/pcsc-binding.js';
import { isPermissionGranted } from '../security/permissions.js';
import { registerAppScheme, serveAppScheme } from './app-protocol.js';
import { desktopCaptureOptions } from './capture-dialog.js';
import { bridgeBackendToIpc } from './ipc-bridge.js';
import { nativeSavePath } from './save-dialog.js';
import { createMainWindow } from './window.js';

const development = !app.isPackaged && process.env.CARDBENCH_DEVTOOLS === '1';

app.enableSandbox();
registerAppScheme();
// pcsclite built for Electron's ABI lives outside node_modules (whose build is Node's): tell the backend where.
useDesktopLayout({ appPath: app.getAppPath(), packaged: app.isPackaged });

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | undefined;
  const captures = desktopCaptureOptions(() => mainWindow);
  app.on('second-instance', (_event, argv, cwd) => {
    captures.fromSecondInstance(argv, cwd);
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)));
    ses.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));

    serveAppScheme(join(import.meta.dirname, '..', 'renderer'));
    const backend = createBackend({
      shell: 'electron',
      electron: electronStatusFor('electron'),
      captures,
      chooseSavePath: nativeSavePath(() => mainWindow),
    });
    mainWindow = createMainWindow(join(import.meta.dirname, '..', 'preload', 'index.cjs'), development);
    const unbridge = bridgeBackendToIpc(backend, mainWindow);
    mainWindow.on('closed', () => {
      unbridge();
      backend.dispose();
      mainWindow = undefined;
    });
  });

  app.on('window-all-closed', () => app.quit());
}
