/**
 * Local stand-ins for the header download that cannot happen here (no network): a server that
 * serves a real headers tarball the way electronjs.org/headers and nodejs.org/dist lay them out
 * (v<version>/node-v<version>-headers.tar.gz beside SHASUMS256.txt), a server that accepts
 * connections and never answers, and a port nobody listens on.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Node's own headers as installed with Node (nodedir=/usr on Debian); undefined when they are not there. */
export const NODE_HEADERS_DIR = ['/usr/include/node', join(process.execPath, '..', '..', 'include', 'node')].find((dir) =>
  existsSync(join(dir, 'common.gypi')),
);

/** A gzipped tarball of `headersDir` laid out as node-gyp expects (<name>/include/node/...). */
export function headersTarball(headersDir: string): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'cardbench-headers-'));
  try {
    const tarball = join(work, 'headers.tar.gz');
    execFileSync('tar', ['-C', join(headersDir, '..'), '--transform', 's,^node,node-headers/include/node,', '-czf', tarball, 'node']);
    return readFileSync(tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface LocalServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `tarball` as the headers of every version asked for. */
export async function startHeadersServer(tarball: Buffer): Promise<LocalServer> {
  const sha = createHash('sha256').update(tarball).digest('hex');
  const requests: string[] = [];
  const server = createHttpServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const headers = /^\/headers\/v([^/]+)\/node-v\1-headers\.tar\.gz$/.exec(request.url ?? '');
    const sums = /^\/headers\/v([^/]+)\/SHASUMS256\.txt$/.exec(request.url ?? '');
    if (headers) {
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': tarball.length });
      response.end(request.method === 'HEAD' ? undefined : tarball);
    } else if (sums) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`${sha}  node-v${sums[1]}-headers.tar.gz\n`);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/headers`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Accepts every connection and never says a word: a firewall that drops, a captive portal that stalls. */
export async function startSilentServer(): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/headers`,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that was just free: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/headers`;
}
