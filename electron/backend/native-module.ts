import { createRequire } from 'node:module';

/**
 * Native modules are loaded lazily and only here, so a missing or broken build degrades the
 * one feature that needs it (with the loader's message) instead of stopping the app at import.
 */
const requireNative = createRequire(import.meta.url);

export type NativeLoad<T> = { ok: true; module: T } | { ok: false; error: string };

export function loadNativeModule<T>(name: string): NativeLoad<T> {
  try {
    return { ok: true, module: requireNative(name) as T };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}
