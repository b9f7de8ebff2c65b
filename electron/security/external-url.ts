import { safeParseUrl } from './app-origin.js';

export type ExternalUrlVerdict = { allowed: true; url: string } | { allowed: false; reason: string };

/**
 * The one gate before shell.openExternal: only plain https links leave the app. No file:,
 * javascript:, custom schemes (which can launch local programs), credentials in the URL, or
 * oversized strings.
 */
export function checkExternalUrl(candidate: unknown): ExternalUrlVerdict {
  if (typeof candidate !== 'string') return { allowed: false, reason: 'not a string' };
  if (candidate.length > 2048) return { allowed: false, reason: 'longer than 2048 characters' };
  const url = safeParseUrl(candidate);
  if (!url) return { allowed: false, reason: 'not a valid URL' };
  if (url.protocol !== 'https:') return { allowed: false, reason: `scheme ${url.protocol} is not https` };
  if (url.username || url.password) return { allowed: false, reason: 'URL carries credentials' };
  if (!url.hostname) return { allowed: false, reason: 'URL has no host' };
  return { allowed: true, url: url.href };
}
