/**
 * loadPcscBinding with the real addon, laid out as the desktop app finds it (a checkout's
 * out/native/electron-<abi>/, a packaged app's app.asar.unpacked/). Only this Node's ABI can be
 * dlopened here, so an Electron runtime is described to the loader (process.versions as
 * Electron fills them): with Electron 45's ABI every refusal happens before dlopen, and an
 * Electron whose ABI equals this Node's stands in for the successful load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPcscBinding } from '../../../../../electron/backend/pcsc/pcsc-binding.js';
import { probePcsc } from '../../../../../electron/backend/pcsc/pcsc-probe.js';
import { electronBuildDir, pcscliteAddonIn, type NativeRuntime } from '../../../../../electron/backend/native/pcsclite-location.js';
import { stagePackage } from '../../../../../electron/tooling/stage-package.js';
import { REPO_ROOT } from '../../../../shared-path.js';

const NODE_BUILD = join(REPO_ROOT, 'node_modules/pcsclite/build/Release/pcsclite.node');
const THIS_ABI = Number(process.versions.modules);
const ELECTRON_45: NativeRuntime = { abi: 150, electron: '45.5.0', node: '24.11.1' };
const ELECTRON_WITH_THIS_ABI: NativeRuntime = { abi: THIS_ABI, electron: '45.5.0', node: '24.11.1' };
const ADVICE = 'PC/SC needs pcsclite built for Electron 45: run `npm run rebuild:electron` once, online.';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-load-'));
  dirs.push(dir);
  return dir;
}

/** A staged pcsclite (as rebuild:electron leaves it) in `nodeModules`, holding `addon` as its Release build. */
function placeBuild(nodeModules: string, addon: Buffer = readFileSync(NODE_BUILD)): string {
  stagePackage(REPO_ROOT, 'pcsclite', nodeModules);
  const addonPath = pcscliteAddonIn(join(nodeModules, 'pcsclite'));
  mkdirSync(join(addonPath, '..'), { recursive: true });
  writeFileSync(addonPath, addon);
  return addonPath;
}

describe('loadPcscBinding', () => {
  it("loads node_modules' build in plain Node (the CLI and browser mode)", () => {
    const loaded = loadPcscBinding();
    expect(loaded.ok).toBe(true);
  });

  it('in a checkout without an Electron build: the sentence, and which file is missing', () => {
    const root = scratch();
    expect(loadPcscBinding(ELECTRON_45, { appPath: root, packaged: false })).toEqual({
      ok: false,
      reason: ADVICE,
      error: `${join(electronBuildDir(root, 150), 'node_modules/pcsclite/build/Release/pcsclite.node')} does not exist.`,
    });
  });

  it("in a checkout whose Electron folder holds Node's build: refused before dlopen, with both ABIs", () => {
    const root = scratch();
    const addonPath = placeBuild(join(electronBuildDir(root, 150), 'node_modules'));
    expect(loadPcscBinding(ELECTRON_45, { appPath: root, packaged: false })).toEqual({
      ok: false,
      reason: ADVICE,
      error: `${addonPath} is built for NODE_MODULE_VERSION ${THIS_ABI}; this runtime loads 150.`,
    });
  });

  it('in a checkout with a build for its ABI: loads it by explicit path, and the binding works', () => {
    const root = scratch();
    placeBuild(join(electronBuildDir(root, THIS_ABI), 'node_modules'));
    const loaded = loadPcscBinding(ELECTRON_WITH_THIS_ABI, { appPath: root, packaged: false });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    // The copy under out/native was loaded, not node_modules' (require caches by resolved path).
    const cached = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.startsWith(root));
    expect(cached.some((path) => path.endsWith(join('pcsclite', 'lib', 'pcsclite.js')))).toBe(true);
    const status = probePcsc(loaded.module);
    if (!status.available) expect(status.reason).toContain('PC/SC service not running');
  });

  it('in a packaged app: loads from app.asar.unpacked, and calls a missing build a packaging fault', () => {
    const resources = join(scratch(), 'resources');
    const layout = { appPath: join(resources, 'app.asar'), packaged: true };
    expect(loadPcscBinding(ELECTRON_45, layout)).toMatchObject({ ok: false, reason: expect.stringContaining('a packaging fault') });
    placeBuild(join(resources, 'app.asar.unpacked', 'node_modules'));
    expect(loadPcscBinding(ELECTRON_WITH_THIS_ABI, layout).ok).toBe(true);
  });

  it('explains a real loader failure: an addon whose registration the reader cannot see and dlopen rejects', () => {
    const root = scratch();
    // Same length, so the file stays a valid library; only the registration name is gone.
    const broken = Buffer.from(
      readFileSync(NODE_BUILD).toString('latin1').replaceAll('node_register_module_v', 'node_register_moduXe_v'),
      'latin1',
    );
    placeBuild(join(electronBuildDir(root, THIS_ABI), 'node_modules'), broken);
    expect(loadPcscBinding(ELECTRON_WITH_THIS_ABI, { appPath: root, packaged: false })).toEqual({
      ok: false,
      reason: ADVICE,
      error: 'The addon did not register with this runtime (most likely built for another NODE_MODULE_VERSION).',
    });
  });

  it("in the CLI when node_modules' build was made for another runtime (a rebuild for Electron in place)", () => {
    const node24: NativeRuntime = { abi: 137, node: '24.11.1' };
    expect(loadPcscBinding(node24)).toEqual({
      ok: false,
      reason: 'PC/SC needs pcsclite rebuilt for Node 24: run `npm rebuild pcsclite`.',
      error: `${NODE_BUILD} is built for NODE_MODULE_VERSION ${THIS_ABI}; this runtime loads 137.`,
    });
  });

  it('inside Electron without a layout from the main process: the sentence, not a guess', () => {
    expect(loadPcscBinding(ELECTRON_45, undefined)).toMatchObject({
      ok: false,
      reason: ADVICE,
      error: expect.stringContaining('useDesktopLayout'),
    });
  });
});

it('stagePackage copies pcsclite with its dependencies and without its build', () => {
  const nodeModules = join(scratch(), 'node_modules');
  expect(stagePackage(REPO_ROOT, 'pcsclite', nodeModules)).toEqual(['pcsclite', 'bindings', 'file-uri-to-path', 'nan']);
  expect(() => readFileSync(join(nodeModules, 'pcsclite/build/Release/pcsclite.node'))).toThrow(/ENOENT/);
  expect(JSON.parse(readFileSync(join(nodeModules, 'bindings/package.json'), 'utf8'))).toMatchObject({ name: 'bindings' });
  expect(readFileSync(join(nodeModules, 'pcsclite/binding.gyp'), 'utf8')).toContain("'target_name': 'pcsclite'");
});
