/**
 * Serves the renderer from app://cardbench/ instead of file://, so the page has a real origin,
 * the CSP applies as a header, and no path outside the renderer build can be read.
 */
import { net, protocol } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME } from '../security/app-origin.js';
import { buildContentSecurityPolicy } from '../security/csp.js';
import { containRequestPath, contentTypeFor } from '../security/path-containment.js';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveAppScheme(rendererDir: string): void {
  const csp = buildContentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const contained = url.host === APP_HOST ? containRequestPath(url.pathname) : { ok: false as const, reason: 'unknown host' };
    if (!contained.ok) return new Response(`Refused: ${contained.reason}`, { status: 403 });
    const file = await net.fetch(pathToFileURL(join(rendererDir, contained.relativePath)).href).catch(() => undefined);
    if (!file || !file.ok) return new Response('Not found', { status: 404 });
    return new Response(file.body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeFor(contained.relativePath),
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
