/**
 * Browser mode: the built renderer over HTTP plus a WebSocket bridge that implements the same
 * contract as the Electron preload, from the same backend. Loopback only by default; every
 * request passes checkAccess (host, token, origin). Logs name the method and path only: the
 * query can carry the token or a launch code.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_WIRE_MESSAGE_BYTES, parseWireRequest, type WireServerMessage } from '#core/ipc/wire.js';
import type { Backend } from '../backend/backend.js';
import { buildContentSecurityPolicy } from '../security/csp.js';
import { containRequestPath, contentTypeFor } from '../security/path-containment.js';
import { checkAccess, generateToken, LAUNCH_QUERY, tokenCookie, tokenCookieName, TOKEN_QUERY } from './access.js';
import { LaunchCodes } from './launch-codes.js';
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
  /** Open WebSockets at once (one per tab); more are refused with 503. */
  maxWebSockets?: number;
  /** Bytes all uploads in progress may hold together; more are refused with 429. */
  maxUploadBytesInFlight?: number;
  /** Largest single upload. */
  maxUploadBytes?: number;
  /** Parent of the uploads' temporary folder (default: the system's). */
  uploadTempRoot?: string;
  /** Lifetime of a launch code, and the clock it is measured with (tests). */
  launchCodeTtlMs?: number;
  now?: () => number;
}

/** A person has a few tabs open; more than this is a runaway page or a flood. */
export const DEFAULT_MAX_WEB_SOCKETS = 16;

export interface RunningWebServer {
  /**
   * The URL for the user, printed on stdout: it carries the token, so it can be opened again
   * (another browser, after closing the tab). It goes to the user's terminal only, never to
   * another process's command line.
   */
  url: string;
  /** A fresh one-time URL to start a browser with: its code is spent on first use, or expires. */
  launchUrl(): string;
  port: number;
  token: string;
  /** The name of this server's token cookie (one per port). */
  cookieName: string;
  /** Open WebSocket connections (for tests and the shutdown message). */
  connectionCount(): number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const log = options.log ?? (() => undefined);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  const maxWebSockets = options.maxWebSockets ?? DEFAULT_MAX_WEB_SOCKETS;
  let openWebSockets = 0;
  let port = 0;
  const launchCodes = new LaunchCodes({
    ...(options.launchCodeTtlMs !== undefined ? { ttlMs: options.launchCodeTtlMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const uploads = createUploadHandler({
    ...(options.maxUploadBytes !== undefined ? { maxBytes: options.maxUploadBytes } : {}),
    ...(options.maxUploadBytesInFlight !== undefined ? { maxBytesInFlight: options.maxUploadBytesInFlight } : {}),
    ...(options.uploadTempRoot !== undefined ? { tempRoot: options.uploadTempRoot } : {}),
  });

  const server: Server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log(`http: ${describeRequest(request)} failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'Internal error');
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseRequestTarget(request.url);
    if (!url) {
      send(response, 400, 'Bad request target: only paths starting with / are served here.');
      return;
    }
    const isPageLoad = request.method === 'GET';
    const verdict = checkAccess(
      {
        host: request.headers.host,
        cookie: request.headers.cookie,
        queryToken: url.searchParams.get(TOKEN_QUERY) ?? undefined,
        launchCode: isPageLoad ? (url.searchParams.get(LAUNCH_QUERY) ?? undefined) : undefined,
        isWebSocket: false,
      },
      token,
      port,
      launchCodes,
    );
    if (!verdict.allowed) {
      log(`refused ${describeRequest(request)}: ${verdict.reason}`);
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
    if (verdict.via !== 'cookie' || (isPageLoad && url.searchParams.has(LAUNCH_QUERY))) {
      // Trade the token or code in the URL for a cookie so it leaves the address bar and history.
      // Always to `/`: a Location built from the request path (`/.//evil.example/`) would be a
      // scheme-relative URL to another site.
      response.writeHead(303, { Location: '/', 'Set-Cookie': tokenCookie(token, port), 'Cache-Control': 'no-store' });
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
    const url = parseRequestTarget(request.url) ?? new URL('http://placeholder/');
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
      refuseUpgrade(socket, status, '');
      return;
    }
    if (openWebSockets >= maxWebSockets) {
      log(`websocket refused: ${openWebSockets} connections already open (limit ${maxWebSockets})`);
      refuseUpgrade(
        socket,
        503,
        `Cardbench browser mode already has ${openWebSockets} open connections (the limit is ${maxWebSockets}, one per tab): close other Cardbench tabs, then reload this one.`,
      );
      return;
    }
    // ws completes a valid handshake synchronously (no verifyClient), so nothing slips in between
    // the check above and this count; a handshake ws rejects never reaches the callback.
    sockets.handleUpgrade(request, socket, head, (ws) => {
      openWebSockets++;
      ws.once('close', () => openWebSockets--);
      serveConnection(ws);
    });
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

  const origin = `http://${displayHost}:${port}`;

  return {
    url: `${origin}/?${TOKEN_QUERY}=${token}`,
    launchUrl: () => `${origin}/?${LAUNCH_QUERY}=${launchCodes.mint()}`,
    port,
    token,
    cookieName: tokenCookieName(port),
    connectionCount: () => openWebSockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => void uploads.dispose().then(resolve, resolve));
        server.closeAllConnections();
      }),
  };
}

/**
 * The request target as a URL whose path is exactly what was sent (`//x` stays a path, never a
 * host). Only origin-form targets (`/…`) are served.
 */
function parseRequestTarget(target: string | undefined): URL | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    return new URL(`http://placeholder${target}`);
  } catch {
    return undefined;
  }
}

/** Method and path for a log line; never the query (it may hold the token or a launch code). */
function describeRequest(request: IncomingMessage): string {
  const target = request.url ?? '';
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return `${request.method ?? '?'} ${JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path)}`;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Ends a WebSocket upgrade with a plain HTTP answer (the page sees the connection fail). */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = text ? `${text}\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
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
