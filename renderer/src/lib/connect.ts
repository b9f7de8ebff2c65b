import { createApiClient, type EnvelopeTransport } from '#core/ipc/client.js';
import type { Api } from '#core/ipc/contract.js';
import { createWebSocketTransport, type WebSocketTransport } from './websocket-transport.js';

declare global {
  interface Window {
    /** Present in the desktop app: exposed by the preload, nothing else of Electron is. */
    cardbenchBridge?: EnvelopeTransport;
  }
}

export interface Connection {
  api: Api;
  shell: 'electron' | 'browser';
  /** Only browser mode can lose its connection. */
  transport?: WebSocketTransport;
}

/** Picks the preload bridge in the desktop app, the WebSocket back to the server in browser mode. */
export function connect(win: Window = window): Connection {
  if (win.cardbenchBridge) return { api: createApiClient(win.cardbenchBridge), shell: 'electron' };
  const scheme = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const transport = createWebSocketTransport(`${scheme}//${win.location.host}/ws`);
  return { api: createApiClient(transport), shell: 'browser', transport };
}
