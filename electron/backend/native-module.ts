import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ADDON_SIZE_LIMIT, addonFitsRuntime, readAddonAbi, type AddonAbi } from './native/addon-abi.js';
import { explainLoadFailure } from './native/load-failure.js';

/**
 * Native modules are loaded lazily and only here, so a missing or broken build degrades the
 * one feature that needs it (with a sentence saying what to do) instead of stopping the app at import.
 */
const requireNative = createRequire(import.meta.url);

/** `error`: the loader's own first line (or ours), for detail; `reason`: what to do, when we know it. */
export type NativeLoad<T> = { ok: true; module: T } | { ok: false; error: string; reason?: string };

/** `specifier`: a package name resolved from node_modules, or an absolute package folder. */
export function loadNativeModule<T>(specifier: string): NativeLoad<T> {
  try {
    return { ok: true, module: requireNative(specifier) as T };
  } catch (error) {
    return { ok: false, error: firstLine(error) };
  }
}

export interface CheckedNativeLoad {
  /** What to require: a package name or an absolute package folder. */
  specifier: string;
  /** The addon that require will dlopen, checked before it is. */
  addonPath: string;
  /** process.versions.modules of this runtime. */
  runtimeAbi: number;
  /** The sentence for a build that is missing or does not fit this runtime. */
  advice: string;
  /** When true a missing addon is left to the loader (node_modules may hold it under another build folder). */
  addonOptional?: boolean;
}

/**
 * Loads a native package after reading which ABI its addon was built for: a build for another
 * runtime is named as such (with `advice`) without asking dlopen, and any loader error that
 * still happens is explained rather than passed on.
 */
export function loadCheckedNativeModule<T>(request: CheckedNativeLoad): NativeLoad<T> {
  const addon = readAddonAbiFile(request.addonPath);
  if (addon === 'missing') {
    if (!request.addonOptional) return { ok: false, error: `${request.addonPath} does not exist.`, reason: request.advice };
  } else {
    const verdict = addonFitsRuntime(addon, request.runtimeAbi);
    if (verdict.verdict === 'mismatch') return { ok: false, error: `${request.addonPath} is ${verdict.why}.`, reason: request.advice };
  }
  try {
    return { ok: true, module: requireNative(request.specifier) as T };
  } catch (error) {
    const explained = explainLoadFailure(error instanceof Error ? error.message : String(error), request.advice);
    return { ok: false, error: explained.detail, reason: explained.reason };
  }
}

/** The addon's ABI as its file declares it; 'missing' when there is no such file. Reads at most ADDON_SIZE_LIMIT bytes. */
export function readAddonAbiFile(path: string): AddonAbi | 'missing' {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return 'missing';
    size = stats.size;
  } catch {
    return 'missing';
  }
  if (size > ADDON_SIZE_LIMIT) return { kind: 'unknown', reason: `larger than ${ADDON_SIZE_LIMIT} bytes` };
  const bytes = new Uint8Array(size);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, bytes, offset, size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return readAddonAbi(bytes.subarray(0, offset));
  } catch (error) {
    return { kind: 'unknown', reason: `it cannot be read: ${firstLine(error)}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
