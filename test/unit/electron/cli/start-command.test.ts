/**
 * `cardbench start` (what `npm start` runs after building) as a real process. There is no
 * Electron binary here: the first test runs the path users without one take; the second gives
 * start a stand-in for the binary (a script that records how it was started, through
 * ELECTRON_OVERRIDE_DIST_PATH as a real dist would be given) to run the path up to the window:
 * the Electron build of pcsclite first, its failure told in the sentence, then the app
 * started anyway, with its sandbox on.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElectronTarget } from '../../../../electron/tooling/electron-target.js';
import { desktopNodeAdvice } from '../../../../electron/tooling/node-requirements.js';
import { inspectElectronBuild } from '../../../../electron/tooling/pcsclite-electron-build.js';
import { REPO_ROOT } from '../../../shared-path.js';
import { closedPortUrl } from '../tooling/headers-server.js';
import { runTool, startTool } from '../tooling/tool-process.js';

const CLI = 'electron/cli/main.ts';
const ADVICE = 'PC/SC needs pcsclite built for Electron 45: run `npm run rebuild:electron` once, online.';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-start-'));
  dirs.push(dir);
  return dir;
}

describe('cardbench start', () => {
  it('without an Electron binary: says why, which Node the desktop path needs, and serves browser mode', async () => {
    const dist = scratch();
    const start = startTool(CLI, ['start', '--no-open', '--port', '0'], { ELECTRON_OVERRIDE_DIST_PATH: dist });
    await start.waitForStderr(/Starting browser mode instead\./);
    const end = await start.stop('SIGINT');
    expect(end.stderr).toContain(
      `The desktop app cannot start: ELECTRON_OVERRIDE_DIST_PATH is set but ${join(dist, 'electron')} does not exist.`,
    );
    const nodeAdvice = desktopNodeAdvice(process.version, '45.5.0');
    if (nodeAdvice) {
      expect(end.stderr).toContain(nodeAdvice);
      expect(nodeAdvice).toContain('need Node ≥ 22.12; this is Node 20.');
    } else {
      expect(end.stderr).not.toContain('need Node ≥');
    }
    // 130 once serving; 3 when another build emptied out/renderer meanwhile. Either way it did not hang or crash.
    expect([130, 3]).toContain(end.code);
  }, 30_000);

  it('with a binary: builds pcsclite for Electron (or finds it built), tells a failure in one sentence, starts the app anyway', async () => {
    const dist = scratch();
    const argsFile = join(dist, 'started-with');
    writeFileSync(join(dist, 'electron'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$STARTED_WITH"\n');
    chmodSync(join(dist, 'electron'), 0o755);
    const target = readElectronTarget(REPO_ROOT);
    if (!target.ok) throw new Error(target.reason);
    const before = inspectElectronBuild(REPO_ROOT, target.target);

    const end = await runTool(CLI, ['start'], {
      ELECTRON_OVERRIDE_DIST_PATH: dist,
      STARTED_WITH: argsFile,
      // Headers from a refused port: the offline path on every machine, fast.
      ELECTRON_REBUILD_DIST_URL: await closedPortUrl(),
    });

    expect(end.code).toBe(0);
    // The app itself, with no --no-sandbox: the sandbox stays on.
    expect(readFileSync(argsFile, 'utf8')).toBe(`${REPO_ROOT}\n`);
    if (before.state === 'ready') {
      expect(end.stderr).not.toContain('Building pcsclite');
    } else {
      expect(end.stderr).toContain('Building pcsclite for Electron 45.5.0 (NODE_MODULE_VERSION 150) into out/native/electron-150');
      expect(end.stderr).toMatch(
        /Cannot build pcsclite for Electron 45\.5\.0: its headers could not be fetched from .*: connection refused\./,
      );
      expect(end.stderr).toContain(`${ADVICE} The desktop app starts without PC/SC meanwhile.`);
      const native = join(REPO_ROOT, 'out', 'native');
      expect(existsSync(native) ? readdirSync(native).filter((name) => name.includes('partial')) : []).toEqual([]);
    }
    if (process.getuid?.() === 0)
      expect(end.stderr).toContain('Electron may refuse to start: Chromium refuses to run as root with its sandbox on');
  }, 30_000);
});
