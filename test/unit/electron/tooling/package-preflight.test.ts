import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareNodeVersions, DESKTOP_NODE_MINIMUM } from '../../../../electron/tooling/node-requirements.js';
import { packagingPlan, type PackagingFacts } from '../../../../electron/tooling/package-preflight.js';
import { REPO_ROOT } from '../../../shared-path.js';
import { closedPortUrl } from './headers-server.js';
import { runTool } from './tool-process.js';

const TARGET = { version: '45.5.0', abi: 150 };
const DIST = '/opt/electron-45';
const ZIP_URL = 'https://github.com/electron/electron/releases/download/v45.5.0/electron-v45.5.0-linux-x64.zip';
const HEADERS_URL = 'https://www.electronjs.org/headers/v45.5.0/node-v45.5.0-headers.tar.gz';
const OFFLINE = { reachable: false, why: 'host not found (offline?)' } as const;

function facts(overrides: Partial<PackagingFacts> = {}): PackagingFacts {
  return {
    nodeVersion: 'v22.12.0',
    target: TARGET,
    platform: 'linux',
    arch: 'x64',
    dists: [],
    headersCached: true,
    headersDir: '/home/u/.electron-gyp',
    ...overrides,
  };
}

describe('packagingPlan', () => {
  it('hands an Electron dist on disk to electron-builder and downloads nothing', () => {
    const plan = packagingPlan(
      facts({ dists: [{ source: 'ELECTRON_OVERRIDE_DIST_PATH', path: DIST, complete: true, version: '45.5.0' }] }),
    );
    expect(plan).toEqual({
      ok: true,
      electronDist: DIST,
      notes: [
        `Electron: ${DIST} (ELECTRON_OVERRIDE_DIST_PATH), given to electron-builder as electronDist; nothing is downloaded.`,
        'Headers for rebuilding pcsclite: cached in /home/u/.electron-gyp.',
      ],
    });
  });

  it('uses what `npx install-electron` installed, or a zip @electron/get cached', () => {
    const installed = {
      source: 'node_modules/electron/dist',
      path: '/src/node_modules/electron/dist',
      complete: true,
      version: '45.5.0',
    } as const;
    expect(packagingPlan(facts({ dists: [installed] }))).toMatchObject({ ok: true, electronDist: installed.path });
    const zip = {
      source: 'the @electron/get cache',
      path: '/home/u/.cache/electron/abc/electron-v45.5.0-linux-x64.zip',
      complete: true,
      version: '45.5.0',
    } as const;
    expect(packagingPlan(facts({ dists: [zip] }))).toMatchObject({ ok: true, electronDist: zip.path });
  });

  it('stops on a dist that is not a whole Electron, or not this Electron', () => {
    expect(
      packagingPlan(facts({ dists: [{ source: 'ELECTRON_OVERRIDE_DIST_PATH', path: DIST, complete: false, version: undefined }] })),
    ).toMatchObject({
      ok: false,
      problems: [`ELECTRON_OVERRIDE_DIST_PATH is set but ${DIST} holds no Electron executable.`],
    });
    expect(
      packagingPlan(facts({ dists: [{ source: 'ELECTRON_OVERRIDE_DIST_PATH', path: DIST, complete: true, version: '44.1.0' }] })),
    ).toMatchObject({
      ok: false,
      problems: ['ELECTRON_OVERRIDE_DIST_PATH holds Electron 44.1.0, but the app is built for 45.5.0 (node_modules/electron).'],
    });
  });

  it('without a dist and offline: one sentence saying what it needs and how to get it', () => {
    const plan = packagingPlan(facts({ electronDownload: { url: ZIP_URL, reach: OFFLINE } }));
    expect(plan).toMatchObject({
      ok: false,
      problems: [
        `Packaging needs Electron 45.5.0 for linux-x64 and none is on disk, and it cannot be downloaded (${ZIP_URL}: host not found (offline?)): ` +
          'run `npx install-electron` once online, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45.5.0 (the folder holding its executable), or package online.',
      ],
    });
  });

  it('without a dist but online (or behind a proxy): electron-builder downloads it', () => {
    expect(packagingPlan(facts({ electronDownload: { url: ZIP_URL, reach: { reachable: true, status: 302 } } }))).toMatchObject({
      ok: true,
      electronDist: undefined,
      notes: [expect.stringContaining(`will download Electron 45.5.0 for linux-x64 from ${ZIP_URL}`), expect.any(String)],
    });
    expect(packagingPlan(facts({ electronDownload: { url: ZIP_URL, reach: 'proxy' } }))).toMatchObject({ ok: true });
  });

  it("needs Electron's headers for the pcsclite rebuild: cached, or downloadable", () => {
    const dists = [{ source: 'ELECTRON_OVERRIDE_DIST_PATH', path: DIST, complete: true, version: '45.5.0' }] as const;
    expect(
      packagingPlan(facts({ dists: [...dists], headersCached: false, headersDownload: { url: HEADERS_URL, reach: OFFLINE } })),
    ).toMatchObject({
      ok: false,
      problems: [
        `Packaging rebuilds pcsclite for Electron 45.5.0 and needs its headers, which are not cached and cannot be downloaded (${HEADERS_URL}: host not found (offline?)): ` +
          'run `npm run rebuild:electron` once online (it caches them in ~/.electron-gyp), or package online.',
      ],
    });
    expect(
      packagingPlan(
        facts({ dists: [...dists], headersCached: false, headersDownload: { url: HEADERS_URL, reach: { reachable: true, status: 200 } } }),
      ),
    ).toMatchObject({
      ok: true,
    });
  });

  it('needs a Node that runs electron-builder’s Electron tools', () => {
    const dists = [{ source: 'ELECTRON_OVERRIDE_DIST_PATH', path: DIST, complete: true, version: '45.5.0' }] as const;
    expect(packagingPlan(facts({ nodeVersion: 'v20.20.2', dists: [...dists] }))).toMatchObject({
      ok: false,
      problems: [
        "Packaging runs Electron's own tools (electron-builder's @electron/rebuild and @electron/get), which need Node ≥ 22.12; this is Node 20.20.2.",
      ],
    });
  });
});

/** A checkout as far as the preflight reads it: the electron package's version and ABI, no dist. */
function scratchProject(): { root: string; home: string } {
  const root = mkdtempSync(join(tmpdir(), 'cardbench-package-'));
  mkdirSync(join(root, 'project', 'node_modules', 'electron'), { recursive: true });
  for (const file of ['package.json', 'abi_version']) {
    copyFileSync(join(REPO_ROOT, 'node_modules', 'electron', file), join(root, 'project', 'node_modules', 'electron', file));
  }
  copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'project', 'package.json'));
  mkdirSync(join(root, 'home'));
  return { root, home: join(root, 'home') };
}

describe('npm run package, as a real process', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('with no Electron on disk and offline: exits 1 within seconds saying what it needs, before building anything', async () => {
    const { root, home } = scratchProject();
    dirs.push(root);
    const offline = await closedPortUrl();
    const end = await runTool('electron/tooling/package-app.ts', ['--project', join(root, 'project')], {
      HOME: home,
      ELECTRON_MIRROR: `${offline}/`,
      ELECTRON_REBUILD_DIST_URL: offline,
      ELECTRON_OVERRIDE_DIST_PATH: '',
      XDG_CACHE_HOME: '',
      ELECTRON_CACHE: '',
    });
    expect(end.code).toBe(1);
    expect(end.ms).toBeLessThan(10_000);
    expect(end.stderr).toContain('Cannot package:');
    expect(end.stderr).toContain('Packaging needs Electron 45.5.0 for linux-x64 and none is on disk, and it cannot be downloaded (');
    expect(end.stderr).toContain('connection refused): run `npx install-electron` once online, or set ELECTRON_OVERRIDE_DIST_PATH');
    expect(end.stderr).toContain('Packaging rebuilds pcsclite for Electron 45.5.0 and needs its headers');
    // It stopped before `npm run build` and electron-builder.
    expect(existsSync(join(root, 'project', 'out'))).toBe(false);
    expect(existsSync(join(root, 'project', 'dist'))).toBe(false);
  }, 30_000);

  it('with an Electron dist and headers on disk: uses them, nothing to download (preflight only)', async () => {
    const { root, home } = scratchProject();
    dirs.push(root);
    const dist = join(root, 'electron-dist');
    mkdirSync(dist);
    writeFileSync(join(dist, 'electron'), '');
    writeFileSync(join(dist, 'version'), '45.5.0');
    mkdirSync(join(home, '.electron-gyp', '45.5.0'), { recursive: true });
    writeFileSync(join(home, '.electron-gyp', '45.5.0', 'installVersion'), '11\n');
    const offline = await closedPortUrl();
    const end = await runTool('electron/tooling/package-app.ts', ['--preflight-only', '--project', join(root, 'project')], {
      HOME: home,
      ELECTRON_OVERRIDE_DIST_PATH: dist,
      ELECTRON_MIRROR: `${offline}/`,
      ELECTRON_REBUILD_DIST_URL: offline,
    });
    expect(end.stderr).toContain(
      `Electron: ${dist} (ELECTRON_OVERRIDE_DIST_PATH), given to electron-builder as electronDist; nothing is downloaded.`,
    );
    expect(end.stderr).toContain(`Headers for rebuilding pcsclite: cached in ${join(home, '.electron-gyp')}.`);
    expect(end.stderr).not.toContain('cannot be downloaded');
    const nodeTooOld = compareNodeVersions(process.version, DESKTOP_NODE_MINIMUM) < 0;
    expect(end.code).toBe(nodeTooOld ? 1 : 0);
    if (nodeTooOld) expect(end.stderr).toContain(`need Node ≥ 22.12; this is Node ${process.versions.node}.`);
  }, 30_000);
});
