/**
 * The packaged app's layout, made by electron-builder itself from build/electron-builder.yml,
 * and the desktop loader pointed at it. Two things cannot happen here and are switched off in a
 * config that extends ours: Electron cannot be downloaded (a stand-in dist is given as
 * electronDist, the way package-app.ts gives a real one; it has no fuse wire, so electronFuses is
 * off) and pcsclite cannot be rebuilt for Electron (npmRebuild off: no headers), so the unpacked
 * addon is node_modules' Node build — which is what lets this Node load it from the packaged
 * layout, standing in for Electron loading its own.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPcscBinding } from '../../../electron/backend/pcsc/pcsc-binding.js';
import { pcscliteLocation } from '../../../electron/backend/native/pcsclite-location.js';
import { REPO_ROOT } from '../../shared-path.js';

const work = mkdtempSync(join(tmpdir(), 'cardbench-packaged-'));
const output = join(work, 'dist');
const resources = join(output, 'linux-unpacked', 'resources');
const builtApp = existsSync(join(REPO_ROOT, 'out/main/index.js')) && existsSync(join(REPO_ROOT, 'out/renderer/index.html'));
const skipReason =
  process.platform !== 'linux' ? 'the stand-in dist is a Linux one' : builtApp ? undefined : 'the app is not built (npm run build)';
if (skipReason) console.warn(`[skip] packaged layout: ${skipReason}`);

// electron-builder's own asar reader.
const { listPackage } = createRequire(import.meta.url)('@electron/asar') as {
  listPackage(path: string, options: { isPack: boolean }): string[];
};

let builder: { code: number | null; output: string };

beforeAll(async () => {
  if (skipReason) return;
  const dist = join(work, 'electron-dist');
  mkdirSync(join(dist, 'resources'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'version'), '45.5.0');
  writeFileSync(join(dist, 'LICENSE'), '');
  const config = join(work, 'electron-builder.yml');
  writeFileSync(
    config,
    [
      `extends: ${join(REPO_ROOT, 'build/electron-builder.yml')}`,
      `electronDist: ${dist}`,
      'electronFuses: null',
      'npmRebuild: false',
      'directories:',
      `  output: ${output}`,
      '',
    ].join('\n'),
  );
  builder = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/electron-builder/cli.js'), '--config', config, '--dir', '--linux'],
      {
        cwd: REPO_ROOT,
        // As `npm run package` runs it: electron-builder goes quiet and hard-links files when it sees Vitest.
        env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('close', (code) => resolve({ code, output: text }));
  });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skipReason !== undefined)('the packaged app (electron-builder --dir)', () => {
  it('is made from the Electron on disk, without a download', () => {
    expect(builder.output).toContain('using custom unpacked Electron distribution');
    expect(builder.code).toBe(0);
  });

  it("carries the app's own build and nothing else of out/ (no out/native, no out/tsc)", () => {
    const paths = listPackage(join(resources, 'app.asar'), { isPack: false });
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json'])
      expect(paths).toContain(file);
    expect(paths.filter((path) => /^\/out\/(?!main|preload|renderer)/.test(path))).toEqual([]);
  });

  it('unpacks pcsclite with what it requires at run time, where the desktop loader looks', () => {
    const location = pcscliteLocation(
      { abi: 150, electron: '45.5.0', node: '24.11.1' },
      { appPath: join(resources, 'app.asar'), packaged: true },
    );
    expect(location).toMatchObject({
      kind: 'path',
      build: 'packaged',
      packageDir: join(resources, 'app.asar.unpacked/node_modules/pcsclite'),
    });
    if (location.kind !== 'path') return;
    expect(existsSync(location.addonPath)).toBe(true);
    for (const dependency of ['bindings', 'file-uri-to-path'])
      expect(existsSync(join(resources, 'app.asar.unpacked/node_modules', dependency, 'package.json'))).toBe(true);
  });

  it('is loaded from app.asar.unpacked by the desktop loader (an Electron with this Node’s ABI stands in)', () => {
    const layout = { appPath: join(resources, 'app.asar'), packaged: true };
    expect(loadPcscBinding({ abi: Number(process.versions.modules), electron: '45.5.0', node: '24.11.1' }, layout).ok).toBe(true);
    // Electron 45 itself would be refused here (npmRebuild is off), by name and without dlopen.
    expect(loadPcscBinding({ abi: 150, electron: '45.5.0', node: '24.11.1' }, layout)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('a packaging fault'),
      error: expect.stringContaining(`built for NODE_MODULE_VERSION ${process.versions.modules}; this runtime loads 150`),
    });
  });
});
