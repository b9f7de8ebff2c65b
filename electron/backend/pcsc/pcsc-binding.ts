/**
 * The slice of the `pcsclite` native binding Cardbench uses, typed, and where it is loaded from.
 * The binding speaks in callbacks and 'error' events; everything above this file sees promises
 * and typed errors.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadCheckedNativeModule, type NativeLoad } from '../native-module.js';
import {
  adviceFor,
  nativeRuntimeOf,
  pcscliteAddonIn,
  pcscliteLocation,
  type DesktopLayout,
  type NativeRuntime,
} from '../native/pcsclite-location.js';

/** SCARD_STATE_* bits of a reader's status (pcsc-lite values). */
export const READER_STATE = {
  CHANGED: 0x0002,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

export interface PcscReaderStatus {
  state: number;
  atr?: Buffer;
}

export interface PcscLiteReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_SHARE_DIRECT: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  on(event: 'status', listener: (status: PcscReaderStatus) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(options: { share_mode: number; protocol?: number }, callback: (error: Error | null, protocol: number) => void): void;
  disconnect(disposition: number, callback: (error: Error | null) => void): void;
  transmit(data: Buffer, responseLength: number, protocol: number, callback: (error: Error | null, data: Buffer) => void): void;
  control(data: Buffer, controlCode: number, responseLength: number, callback: (error: Error | null, data: Buffer) => void): void;
  close(): void;
}

export interface PcscLiteInstance {
  on(event: 'reader', listener: (reader: PcscLiteReader) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
}

export type PcscLiteFactory = () => PcscLiteInstance;

let desktopLayout: DesktopLayout | undefined;

/**
 * Called by the Electron main process before the backend starts: the desktop app loads its own
 * build of pcsclite (Electron's ABI) by explicit path, and only the main process knows the path.
 */
export function useDesktopLayout(layout: DesktopLayout): void {
  desktopLayout = layout;
}

/**
 * Loads pcsclite for this runtime: node_modules' build in Node (CLI, browser mode), the Electron
 * build by explicit path in the desktop app. A build that is missing or made for another ABI
 * fails with a sentence saying which command fixes it (never the loader's own words).
 */
export function loadPcscBinding(
  runtime: NativeRuntime = nativeRuntimeOf(process.versions),
  layout: DesktopLayout | undefined = desktopLayout,
): NativeLoad<PcscLiteFactory> {
  const location = pcscliteLocation(runtime, layout);
  const advice = adviceFor(location, runtime);
  if (location.kind === 'unknown') return { ok: false, error: location.why, reason: advice };
  if (location.kind === 'path') {
    return loadCheckedNativeModule({ specifier: location.packageDir, addonPath: location.addonPath, runtimeAbi: runtime.abi, advice });
  }
  const packageDir = nodeModulesPackageDir();
  if (!packageDir)
    return { ok: false, error: 'pcsclite is not installed in node_modules.', reason: 'PC/SC needs the pcsclite package: run `npm ci`.' };
  // `bindings` may also find a build under another folder (Debug, …): only the Release build is checked, the rest is left to the loader.
  return loadCheckedNativeModule({
    specifier: 'pcsclite',
    addonPath: pcscliteAddonIn(packageDir),
    runtimeAbi: runtime.abi,
    advice,
    addonOptional: true,
  });
}

function nodeModulesPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('pcsclite/package.json'));
  } catch {
    return undefined;
  }
}
