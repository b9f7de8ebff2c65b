/**
 * The only place ipcMain is used. One invoke channel carries every contract call: the sender is
 * checked first (main frame of our app:// page), then the backend validates the arguments.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { failure } from '#core/ipc/envelope.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { Backend } from '../backend/backend.js';
import { validateSender } from '../security/sender.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels.js';

export function bridgeBackendToIpc(backend: Backend, window: BrowserWindow): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, (event: IpcMainInvokeEvent, channel: unknown, args: unknown) => {
    const frame = event.senderFrame;
    const verdict = validateSender({ frameUrl: frame?.url, isMainFrame: frame !== null && frame === frame.top });
    if (!verdict.trusted) {
      return failure(new CardbenchError('forbidden-sender', 'This request did not come from the Cardbench window.', verdict.reason));
    }
    return backend.call(channel, args);
  });
  const unsubscribe = backend.subscribe((message) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, message.event, message.payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
