import { shell } from 'electron';
import { checkExternalUrl } from '../security/external-url.js';

/** The one way a URL leaves the app: https only, checked by the pure helper. */
export async function openExternalSafely(candidate: unknown): Promise<boolean> {
  const verdict = checkExternalUrl(candidate);
  if (!verdict.allowed) return false;
  await shell.openExternal(verdict.url);
  return true;
}
