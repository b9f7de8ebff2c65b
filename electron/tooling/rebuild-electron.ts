/**
 * `npm run rebuild:electron`: builds pcsclite for the installed Electron into
 * out/native/electron-<abi>/ (nothing in node_modules changes). Online once: node-gyp fetches
 * Electron's headers into ~/.electron-gyp. Exits 0 when the build is there and fits, 1 with a
 * sentence when it cannot be made, 130 when stopped.
 *
 *   tsx electron/tooling/rebuild-electron.ts [--force] [--out DIR] [--dist-url URL] [--devdir DIR]
 *                                            [--target VERSION --abi N]
 *
 * --target/--abi build for another runtime than node_modules/electron (the tests build for the
 * running Node, whose headers they serve locally, to run the whole path here).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { electronBuildAdvice } from '../backend/native/pcsclite-location.js';
import { readElectronTarget, type ElectronTarget } from './electron-target.js';
import { ensureElectronPcsclite } from './pcsclite-electron-build.js';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    out: { type: 'string' },
    'dist-url': { type: 'string' },
    devdir: { type: 'string' },
    target: { type: 'string' },
    abi: { type: 'string' },
  },
});

function chosenTarget(): ElectronTarget | string {
  if (values.target !== undefined || values.abi !== undefined) {
    if (!values.target || !/^\d+$/.test(values.abi ?? '')) return '--target VERSION and --abi N go together.';
    return { version: values.target, abi: Number(values.abi) };
  }
  const read = readElectronTarget(PROJECT_ROOT);
  return read.ok ? read.target : `Cannot build pcsclite for Electron: ${read.reason}`;
}

const interruption = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => interruption.abort(signal));

const target = chosenTarget();
if (typeof target === 'string') {
  process.stderr.write(`${target}\n`);
  process.exitCode = 1;
} else {
  const result = await ensureElectronPcsclite({
    projectRoot: PROJECT_ROOT,
    target,
    force: values.force,
    signal: interruption.signal,
    progress: (line) => process.stderr.write(`${line}\n`),
    ...(values.out ? { outDir: resolve(values.out) } : {}),
    ...(values['dist-url'] ? { distUrl: values['dist-url'] } : {}),
    ...(values.devdir ? { devDir: resolve(values.devdir) } : {}),
  });
  if (result.state !== 'failed') {
    const verb = result.state === 'ready' ? 'is up to date' : 'is built';
    process.stdout.write(`pcsclite for Electron ${target.version} (NODE_MODULE_VERSION ${target.abi}) ${verb} in ${result.dir}.\n`);
  } else if (result.stopped) {
    process.stderr.write('Stopped; nothing was changed.\n');
    process.exitCode = 130;
  } else {
    process.stderr.write(`${result.reason}\n${electronBuildAdvice(target.version)}\n`);
    process.exitCode = 1;
  }
}
