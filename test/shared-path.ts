/**
 * Where ../shared lives (captures, notes). CARDBENCH_SHARED overrides it. When it is missing,
 * tests that need it fail under CI=true (a missing fixture must never turn CI green) and skip
 * with a printed reason elsewhere.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const SHARED_DIR = resolve(process.env.CARDBENCH_SHARED ?? resolve(REPO_ROOT, '..', 'shared'));

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

/** Returns a skip reason, or undefined when the path exists. Throws under CI. */
export function requireShared(...parts: string[]): string | undefined {
  const path = sharedPath(...parts);
  if (existsSync(path)) return undefined;
  const reason = `${path} is missing (set CARDBENCH_SHARED to the shared folder)`;
  if (process.env.CI === 'true') throw new Error(`CI needs the shared fixtures: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return reason;
}
