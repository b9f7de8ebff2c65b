import { describe, expect, it } from 'vitest';
import {
  adviceFor,
  electronBuildAdvice,
  nativeRuntimeOf,
  pcscliteLocation,
  runtimeName,
  type NativeRuntime,
} from '../../../../../electron/backend/native/pcsclite-location.js';

const ELECTRON_45: NativeRuntime = { abi: 150, electron: '45.5.0', node: '24.11.1' };
const NODE_20: NativeRuntime = { abi: 115, node: '20.20.2' };

describe('pcscliteLocation', () => {
  it("gives plain Node node_modules' build (the CLI and browser mode)", () => {
    expect(pcscliteLocation(NODE_20, undefined)).toEqual({ kind: 'node-modules' });
    // A layout only matters inside Electron.
    expect(pcscliteLocation(NODE_20, { appPath: '/src/cardbench', packaged: false })).toEqual({ kind: 'node-modules' });
  });

  it("gives a checkout's desktop app the Electron build for its ABI under out/native", () => {
    expect(pcscliteLocation(ELECTRON_45, { appPath: '/src/cardbench', packaged: false })).toEqual({
      kind: 'path',
      build: 'checkout',
      packageDir: '/src/cardbench/out/native/electron-150/node_modules/pcsclite',
      addonPath: '/src/cardbench/out/native/electron-150/node_modules/pcsclite/build/Release/pcsclite.node',
    });
  });

  it('gives a packaged app the build beside app.asar, on Linux and macOS layouts', () => {
    expect(pcscliteLocation(ELECTRON_45, { appPath: '/opt/Cardbench/resources/app.asar', packaged: true })).toEqual({
      kind: 'path',
      build: 'packaged',
      packageDir: '/opt/Cardbench/resources/app.asar.unpacked/node_modules/pcsclite',
      addonPath: '/opt/Cardbench/resources/app.asar.unpacked/node_modules/pcsclite/build/Release/pcsclite.node',
    });
    expect(
      pcscliteLocation(ELECTRON_45, { appPath: '/Applications/Cardbench.app/Contents/Resources/app.asar', packaged: true }),
    ).toMatchObject({
      packageDir: '/Applications/Cardbench.app/Contents/Resources/app.asar.unpacked/node_modules/pcsclite',
    });
  });

  it('gives a packaged app without asar its own node_modules', () => {
    expect(pcscliteLocation(ELECTRON_45, { appPath: '/opt/Cardbench/resources/app', packaged: true })).toMatchObject({
      packageDir: '/opt/Cardbench/resources/app/node_modules/pcsclite',
    });
  });

  it('refuses to guess inside Electron when the main process did not give its layout', () => {
    expect(pcscliteLocation(ELECTRON_45, undefined)).toMatchObject({ kind: 'unknown', why: expect.stringContaining('useDesktopLayout') });
  });
});

describe('advice', () => {
  it("is the issue's sentence in a checkout, a packaging fault in a package, npm rebuild for Node", () => {
    expect(electronBuildAdvice('45.5.0')).toBe('PC/SC needs pcsclite built for Electron 45: run `npm run rebuild:electron` once, online.');
    const checkout = pcscliteLocation(ELECTRON_45, { appPath: '/src', packaged: false });
    expect(adviceFor(checkout, ELECTRON_45)).toBe(electronBuildAdvice('45.5.0'));
    const packaged = pcscliteLocation(ELECTRON_45, { appPath: '/opt/resources/app.asar', packaged: true });
    expect(adviceFor(packaged, ELECTRON_45)).toBe(
      'PC/SC is unavailable: this Cardbench package carries no pcsclite built for Electron 45 (a packaging fault); reinstall Cardbench or report it.',
    );
    expect(adviceFor({ kind: 'node-modules' }, NODE_20)).toBe('PC/SC needs pcsclite rebuilt for Node 20: run `npm rebuild pcsclite`.');
  });
});

describe('nativeRuntimeOf', () => {
  it('reads process.versions as Node and as Electron fill it', () => {
    expect(nativeRuntimeOf({ node: '20.20.2', modules: '115' })).toEqual(NODE_20);
    expect(nativeRuntimeOf({ node: '24.11.1', modules: '150', electron: '45.5.0' })).toEqual(ELECTRON_45);
    expect(runtimeName(ELECTRON_45)).toBe('Electron 45');
    expect(runtimeName(nativeRuntimeOf(process.versions))).toBe(`Node ${process.versions.node.split('.')[0]}`);
  });
});
