/**
 * Browser mode: the built renderer over HTTP plus a WebSocket bridge that implements the same
 * contract as the Electron preload, from the same backend. Loopback only by default; every
 * request passes checkAccess (host, token, origin).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_WIRE_MESSAGE_BYTES, parseWireRequest, type WireServerMessage } from '../../core/ipc/wire.js';
import type { Backend } from '../backend/backend.js';
import { buildContentSecurityPolicy } from '../security/csp.js';
import { containRequestPath, contentTypeFor } from '../security/path-containment.js';
import { checkAccess, generateToken, tokenCookie, TOKEN_QUERY } from './access.js';
import { createUploadHandler, UPLOAD_PATH } from './upload.js';

export const WEB_SOCKET_PATH = '/ws';

export interface WebServerOptions {
  backend: Backend;
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  /** 0 lets the system pick a free port. */
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface RunningWebServer {
  url: string;
  port: number;
  token: string;
  /** Open WebSocket connections (for tests and the shutdown message). */
  connectionCount(): number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const log = options.log ?? (() => undefined);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  let port = 0;
  const uploads = createUploadHandler();

  const server: Server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log(`http: ${request.url ?? '?'} failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'Internal error');
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const verdict = checkAccess(
      {
        host: request.headers.host,
        cookie: request.headers.cookie,
        queryToken: url.searchParams.get(TOKEN_QUERY) ?? undefined,
        isWebSocket: false,
      },
      token,
      port,
    );
    if (!verdict.allowed) {
      send(response, verdict.status, accessRefusedText(verdict.reason));
      return;
    }
    if (url.pathname === UPLOAD_PATH && request.method === 'PUT') {
      await uploads.handle(request, response, url, port);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'Only GET is served here.');
      return;
    }
    if (verdict.viaQuery) {
      // Trade the token in the URL for a cookie so it leaves the address bar and history.
      url.searchParams.delete(TOKEN_QUERY);
      response.writeHead(303, { Location: url.pathname + url.search, 'Set-Cookie': tokenCookie(token), 'Cache-Control': 'no-store' });
      response.end();
      return;
    }
    const contained = containRequestPath(url.pathname);
    if (!contained.ok) {
      send(response, 400, `Bad path: ${contained.reason}`);
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(options.rendererDir, contained.relativePath));
    } catch {
      send(response, 404, 'Not found.');
      return;
    }
    response.writeHead(200, {
      ...securityHeaders(request.headers.host ?? ''),
      'Content-Type': contentTypeFor(contained.relativePath),
      'Content-Length': body.length,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const verdict = checkAccess(
      {
        host: request.headers.host,
        cookie: request.headers.cookie,
        queryToken: url.searchParams.get(TOKEN_QUERY) ?? undefined,
        origin: request.headers.origin,
        isWebSocket: true,
      },
      token,
      port,
    );
    if (url.pathname !== WEB_SOCKET_PATH || !verdict.allowed) {
      const status = verdict.allowed ? 404 : verdict.status;
      log(`websocket refused: ${verdict.allowed ? `unknown path ${url.pathname}` : verdict.reason}`);
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket): void {
    const sendMessage = (message: WireServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.backend.subscribe((event) => sendMessage({ kind: 'event', event: event.event, payload: event.payload }));
    ws.on('close', unsubscribe);
    ws.on('error', (error) => log(`websocket error: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        closeBadClient(ws, 1003, 'binary frames are not accepted');
        return;
      }
      const parsed = parseWireRequest(String(data));
      if (!parsed.ok) {
        closeBadClient(ws, 1008, parsed.reason);
        return;
      }
      const { id, channel, args } = parsed.request;
      void options.backend.call(channel, args).then((envelope) => sendMessage({ kind: 'response', id, envelope }));
    });
  }

  function closeBadClient(ws: WebSocket, code: number, reason: string): void {
    log(`websocket closed: ${reason}`);
    ws.close(code, reason.slice(0, 120));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const displayHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${displayHost}:${port}/?${TOKEN_QUERY}=${token}`,
    port,
    token,
    connectionCount: () => sockets.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => void uploads.dispose().then(resolve, resolve));
        server.closeAllConnections();
      }),
  };
}

function securityHeaders(hostHeader: string): Record<string, string> {
  return {
    'Content-Security-Policy': buildContentSecurityPolicy({ webSocketOrigin: `ws://${hostHeader}` }),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(`${text}\n`);
}

function accessRefusedText(reason: string): string {
  return `Cardbench browser mode refused this request (${reason}).\nOpen the URL that \`cardbench web\` printed: it carries this run's access token.`;
}
