/**
 * Sandboxed preload: exposes exactly the contract's transport (call a channel, subscribe to an
 * event) and nothing of Electron. Envelopes cross the bridge as plain data; the renderer turns
 * them into values or typed errors (class instances do not survive contextBridge).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../main/ipc-channels.js';

const bridge = {
  call: (channel: string, args: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, channel, args),
  subscribe(event: string, listener: (payload: unknown) => void): () => void {
    const relay = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld('cardbenchBridge', bridge);
