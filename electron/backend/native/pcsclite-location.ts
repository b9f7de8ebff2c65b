/**
 * Where the running process takes `pcsclite` from. The CLI and browser mode run on Node and use
 * the build `npm ci` made in node_modules. Electron loads only addons built for its own ABI, so
 * the desktop app loads a second build by explicit path: in a checkout the one `npm start` (or
 * `npm run rebuild:electron`) made under out/native/electron-<abi>/, in a packaged app the one
 * electron-builder rebuilt, unpacked beside app.asar (a native library cannot be loaded from
 * inside an archive).
 */
import { join } from 'node:path';

/** The runtime that loads native modules. */
export interface NativeRuntime {
  /** process.versions.modules: the NODE_MODULE_VERSION this runtime loads. */
  abi: number;
  /** process.versions.electron, inside Electron's main process. */
  electron?: string;
  /** process.versions.node (Electron 45 bundles Node 24). */
  node: string;
}

export function nativeRuntimeOf(versions: Readonly<Record<string, string | undefined>>): NativeRuntime {
  const runtime: NativeRuntime = { abi: Number(versions.modules), node: versions.node ?? 'unknown' };
  if (versions.electron) runtime.electron = versions.electron;
  return runtime;
}

export function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}

/** "Electron 45" or "Node 20", as people name them. */
export function runtimeName(runtime: NativeRuntime): string {
  return runtime.electron ? `Electron ${majorOf(runtime.electron)}` : `Node ${majorOf(runtime.node)}`;
}

/** How the desktop app was started, as Electron's main process knows it (app.getAppPath(), app.isPackaged). */
export interface DesktopLayout {
  appPath: string;
  packaged: boolean;
}

/** The folder of the Electron builds in a checkout: one per ABI, so an Electron upgrade never loads an old one. */
export function electronBuildDir(projectRoot: string, abi: number): string {
  return join(projectRoot, 'out', 'native', `electron-${abi}`);
}

/** The addon inside a pcsclite package folder (node-gyp's Release build, where `bindings` finds it first). */
export function pcscliteAddonIn(packageDir: string): string {
  return join(packageDir, 'build', 'Release', 'pcsclite.node');
}

export type PcscliteLocation =
  /** Plain Node: `require('pcsclite')` from node_modules. */
  | { kind: 'node-modules' }
  | { kind: 'path'; packageDir: string; addonPath: string; build: 'checkout' | 'packaged' }
  | { kind: 'unknown'; why: string };

export function pcscliteLocation(runtime: NativeRuntime, layout: DesktopLayout | undefined): PcscliteLocation {
  if (!runtime.electron) return { kind: 'node-modules' };
  if (!layout) return { kind: 'unknown', why: 'the desktop app did not say where it runs from (useDesktopLayout was not called)' };
  if (layout.packaged) {
    // asar: the archive's twin folder holds what asarUnpack kept out of it; without asar the app folder holds everything.
    const unpacked = layout.appPath.endsWith('.asar') ? `${layout.appPath}.unpacked` : layout.appPath;
    const packageDir = join(unpacked, 'node_modules', 'pcsclite');
    return { kind: 'path', packageDir, addonPath: pcscliteAddonIn(packageDir), build: 'packaged' };
  }
  const packageDir = join(electronBuildDir(layout.appPath, runtime.abi), 'node_modules', 'pcsclite');
  return { kind: 'path', packageDir, addonPath: pcscliteAddonIn(packageDir), build: 'checkout' };
}

/** What to do when a checkout's desktop app has no usable Electron build: one sentence, the same in the status bar, the Readers workbench and `npm start`. */
export function electronBuildAdvice(electronVersion: string): string {
  return `PC/SC needs pcsclite built for Electron ${majorOf(electronVersion)}: run \`npm run rebuild:electron\` once, online.`;
}

/** A packaged app cannot rebuild itself: its pcsclite is part of the package. */
export function packagedBuildAdvice(electronVersion: string): string {
  return (
    `PC/SC is unavailable: this Cardbench package carries no pcsclite built for Electron ${majorOf(electronVersion)} ` +
    '(a packaging fault); reinstall Cardbench or report it.'
  );
}

/** The Node build in node_modules no longer fits this Node (an upgrade, or a rebuild for Electron done in place). */
export function nodeBuildAdvice(runtime: NativeRuntime): string {
  return `PC/SC needs pcsclite rebuilt for ${runtimeName(runtime)}: run \`npm rebuild pcsclite\`.`;
}

/** The advice for a failed load from `location` (pcsc-lite itself missing is told apart by the caller). */
export function adviceFor(location: PcscliteLocation, runtime: NativeRuntime): string {
  if (location.kind === 'node-modules' || !runtime.electron) return nodeBuildAdvice(runtime);
  if (location.kind === 'path' && location.build === 'packaged') return packagedBuildAdvice(runtime.electron);
  return electronBuildAdvice(runtime.electron);
}
