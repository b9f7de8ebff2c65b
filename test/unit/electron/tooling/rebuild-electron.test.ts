/**
 * `npm run rebuild:electron` as a real process. Electron's headers cannot be downloaded here, so:
 * the offline paths run against a refused port and a server that never answers (it must end in
 * seconds with the sentence, leaving nothing behind); the whole build path runs for real with
 * the running Node's headers served locally (node-gyp downloads, checks and unpacks them, the
 * compiler runs, the ABI is read back from the addon and the result is loaded by explicit path),
 * and a build that claims Electron but gets Node's headers is refused by the ABI check.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckedNativeModule, readAddonAbiFile } from '../../../../electron/backend/native-module.js';
import { BUILD_STAMP_FILE, parseBuildStamp } from '../../../../electron/backend/native/electron-build-state.js';
import { pcscliteAddonIn } from '../../../../electron/backend/native/pcsclite-location.js';
import type { PcscLiteFactory } from '../../../../electron/backend/pcsc/pcsc-binding.js';
import { probePcsc } from '../../../../electron/backend/pcsc/pcsc-probe.js';
import { PROBE_TIMEOUT_MS } from '../../../../electron/tooling/url-probe.js';
import {
  closedPortUrl,
  headersTarball,
  NODE_HEADERS_DIR,
  startHeadersServer,
  startSilentServer,
  type LocalServer,
} from './headers-server.js';
import { runTool, startTool } from './tool-process.js';

const SCRIPT = 'electron/tooling/rebuild-electron.ts';
const ADVICE = 'PC/SC needs pcsclite built for Electron 45: run `npm run rebuild:electron` once, online.';

function scratch(): { dir: string; out: string; devdir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-rebuild-'));
  return { dir, out: join(dir, 'native', 'electron-x'), devdir: join(dir, 'electron-gyp') };
}

/** Nothing may be left where the build was going: no folder, no half-made copy. */
function leftovers(dir: string): string[] {
  const native = join(dir, 'native');
  return existsSync(native) ? readdirSync(native) : [];
}

describe('rebuild:electron without Electron headers', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('stops in seconds with the sentence when the header server refuses the connection', async () => {
    const { dir, out, devdir } = scratch();
    dirs.push(dir);
    const end = await runTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', await closedPortUrl()]);
    expect(end.code).toBe(1);
    expect(end.stderr).toContain('Building pcsclite for Electron 45.5.0 (NODE_MODULE_VERSION 150)');
    expect(end.stderr).toMatch(
      /headers could not be fetched from http:\/\/127\.0\.0\.1:\d+\/headers\/v45\.5\.0\/node-v45\.5\.0-headers\.tar\.gz: connection refused/,
    );
    expect(end.stderr).toContain(ADVICE);
    expect(end.ms).toBeLessThan(10_000);
    expect(leftovers(dir)).toEqual([]);
  }, 20_000);

  it('gives up on a server that never answers after the probe timeout instead of hanging', async () => {
    const { dir, out, devdir } = scratch();
    dirs.push(dir);
    const silent = await startSilentServer();
    try {
      const end = await runTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', silent.url]);
      expect(end.code).toBe(1);
      expect(end.stderr).toContain(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`);
      expect(end.stderr).toContain(ADVICE);
      expect(end.ms).toBeLessThan(PROBE_TIMEOUT_MS + 6_000);
      expect(leftovers(dir)).toEqual([]);
    } finally {
      await silent.close();
    }
  }, 30_000);

  it('stops within a second on Ctrl-C while waiting for headers, exit 130, nothing changed', async () => {
    const { dir, out, devdir } = scratch();
    dirs.push(dir);
    const silent = await startSilentServer();
    try {
      const tool = startTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', silent.url]);
      await tool.waitForStderr(/fetching Electron 45\.5\.0's headers/);
      const end = await tool.stop('SIGINT');
      expect(end.code).toBe(130);
      expect(end.stderr).toContain('Stopped; nothing was changed.');
      expect(end.ms).toBeLessThan(1_000);
      expect(leftovers(dir)).toEqual([]);
    } finally {
      await silent.close();
    }
  }, 20_000);
});

const noHeaders = NODE_HEADERS_DIR ? undefined : `Node's headers are not installed next to ${process.execPath} nor in /usr/include/node`;
if (noHeaders) console.warn(`[skip] rebuild:electron build path: ${noHeaders}`);

describe.skipIf(noHeaders !== undefined)('rebuild:electron build path, with headers served locally', () => {
  let server: LocalServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startHeadersServer(headersTarball(NODE_HEADERS_DIR!));
  });
  afterAll(async () => {
    await server?.close();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('builds beside node_modules, stamps the build, reads its ABI back and loads it by explicit path', async () => {
    const { dir, out, devdir } = scratch();
    dirs.push(dir);
    const target = ['--target', process.versions.node, '--abi', process.versions.modules];
    // npm exports .npmrc's nodedir to scripts; a bogus one proves node-gyp is not steered by it.
    const env = { npm_config_nodedir: join(dir, 'no-such-nodedir') };
    const first = await runTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', server.url, ...target], env);
    expect(first.stderr).not.toContain('Cannot build');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`is built in ${out}`);
    expect(server.requests).toContain(`GET /headers/v${process.versions.node}/node-v${process.versions.node}-headers.tar.gz`);

    const packageDir = join(out, 'node_modules', 'pcsclite');
    const addonPath = pcscliteAddonIn(packageDir);
    expect(readAddonAbiFile(addonPath)).toEqual({ kind: 'node-abi', abi: Number(process.versions.modules), format: 'elf' });
    expect(parseBuildStamp(readFileSync(join(out, BUILD_STAMP_FILE), 'utf8'))).toMatchObject({
      module: 'pcsclite',
      moduleVersion: '1.0.1',
      electronVersion: process.versions.node,
      abi: Number(process.versions.modules),
      platform: process.platform,
      arch: process.arch,
    });
    // The copy carries what it loads with: bindings finds the addon from inside it, wherever it lives.
    expect(readdirSync(join(out, 'node_modules')).sort()).toEqual(['bindings', 'file-uri-to-path', 'nan', 'pcsclite']);
    expect(leftovers(dir)).toEqual(['electron-x']);

    const loaded = loadCheckedNativeModule<PcscLiteFactory>({
      specifier: packageDir,
      addonPath,
      runtimeAbi: Number(process.versions.modules),
      advice: ADVICE,
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    // The loaded binding talks to pcsc-lite: running, or pcscd's own "not running" — never a loader message.
    const status = probePcsc(loaded.module);
    if (!status.available) expect(status.reason).toContain('PC/SC service not running');

    const again = await runTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', server.url, ...target], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`is up to date in ${out}`);
    expect(again.stderr).not.toContain('Building');
  }, 120_000);

  it("refuses a build that names Electron but got Node's headers: the addon's ABI is read back", async () => {
    const { dir, out, devdir } = scratch();
    dirs.push(dir);
    // The server answers Node's headers for v45.5.0: node-gyp compiles happily, for the wrong ABI.
    const end = await runTool(SCRIPT, ['--out', out, '--devdir', devdir, '--dist-url', server.url]);
    expect(end.code).toBe(1);
    expect(end.stderr).toContain(`node-gyp built it for NODE_MODULE_VERSION ${process.versions.modules}, not Electron 45.5.0's 150`);
    expect(end.stderr).toContain(ADVICE);
    expect(leftovers(dir)).toEqual([]);
  }, 120_000);
});
