/**
 * Maps a request path to a file under the renderer's build folder and refuses anything that
 * could escape it: '..' segments (also percent-encoded), backslashes, NUL, absolute Windows
 * paths. Pure string logic, so the app:// protocol and browser mode share one tested rule.
 */
export type ContainedPath = { ok: true; relativePath: string } | { ok: false; reason: string };

export function containRequestPath(pathname: string, indexFile = 'index.html'): ContainedPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, reason: 'NUL in path' };
  if (decoded.includes('\\')) return { ok: false, reason: 'backslash in path' };
  const segments = decoded.split('/').filter((s) => s.length > 0 && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, reason: 'path leaves the app folder' };
  if (segments[0] !== undefined && /^[a-zA-Z]:$/.test(segments[0])) return { ok: false, reason: 'absolute drive path' };
  if (segments.length === 0) return { ok: true, relativePath: indexFile };
  return { ok: true, relativePath: segments.join('/') };
}

/** Content types for what the renderer build emits; anything else is served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
  map: 'application/json',
};

export function contentTypeFor(relativePath: string): string {
  const dot = relativePath.lastIndexOf('.');
  const ext = dot >= 0 ? relativePath.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
