import { isAppUrl } from './app-origin.js';

/**
 * The page never leaves the app origin. In-app routing uses the URL hash, which does not fire
 * will-navigate, so the only navigation to allow is to our own origin (a reload). Links to the
 * web go through openExternal instead.
 */
export function isNavigationAllowed(targetUrl: string): boolean {
  return isAppUrl(targetUrl);
}

/** New windows are never opened by the page itself. */
export const WINDOW_OPEN_DECISION = { action: 'deny' } as const;
