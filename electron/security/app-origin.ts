/**
 * The renderer's origin in the desktop app. Everything trusted is served from here; anything
 * else (file://, http://, devtools://, a navigated-away page) is untrusted by construction.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cardbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True when url parses and belongs to the app origin (scheme and host both exact). */
export function isAppUrl(url: string): boolean {
  const parsed = safeParseUrl(url);
  return parsed !== undefined && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

export function safeParseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
