/**
 * Builds pcsclite for Electron beside the Node build: a copy of the package (with what it needs
 * to build and load) under out/native/electron-<abi>/node_modules/, compiled by node-gyp against
 * Electron's headers, checked (the addon must register for Electron's ABI) and stamped. What
 * @electron/rebuild does, but into its own folder: a rebuild in place would take the Node build
 * away from the CLI and browser mode.
 *
 * Headers are cached where @electron/rebuild (and so electron-builder's npmRebuild) keeps them,
 * ~/.electron-gyp/<version>: one online build also lets packaging rebuild offline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { addonFitsRuntime } from '../backend/native/addon-abi.js';
import {
  BUILD_STAMP_FILE,
  electronBuildState,
  formatBuildStamp,
  type ElectronBuildState,
  type ElectronBuildWanted,
} from '../backend/native/electron-build-state.js';
import { electronBuildDir, pcscliteAddonIn } from '../backend/native/pcsclite-location.js';
import { readAddonAbiFile } from '../backend/native-module.js';
import { installedVersion, type ElectronTarget } from './electron-target.js';
import { stagePackage } from './stage-package.js';
import { probeUrl, proxyConfigured, PROBE_TIMEOUT_MS } from './url-probe.js';

export const ELECTRON_HEADERS_URL = 'https://www.electronjs.org/headers';
export const ELECTRON_GYP_DIR = join(homedir(), '.electron-gyp');
const MODULE = 'pcsclite';
/** Compiling pcsclite takes seconds; a node-gyp still running after this is stuck (a download that stalled). */
export const BUILD_TIMEOUT_MS = 10 * 60_000;
/** node-gyp's output is kept only to explain a failure: its tail is enough. */
const OUTPUT_TAIL_BYTES = 64 * 1024;

export interface ElectronBuildRequest {
  projectRoot: string;
  target: ElectronTarget;
  /** Default: out/native/electron-<abi> in the project. */
  outDir?: string;
  /** Where node-gyp fetches headers (node-gyp's --dist-url); else ELECTRON_REBUILD_DIST_URL (as for @electron/rebuild's CLI), else electronjs.org. */
  distUrl?: string;
  /** node-gyp's header cache (--devdir). */
  devDir?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress: (line: string) => void;
  timeoutMs?: number;
  probeTimeoutMs?: number;
}

export type ElectronBuildResult = { ok: true; dir: string; addonPath: string } | { ok: false; reason: string; stopped?: boolean };

export function buildDirOf(request: Pick<ElectronBuildRequest, 'projectRoot' | 'target' | 'outDir'>): string {
  return request.outDir ?? electronBuildDir(request.projectRoot, request.target.abi);
}

export function wantedBuild(projectRoot: string, target: ElectronTarget): ElectronBuildWanted {
  return {
    module: MODULE,
    moduleVersion: installedVersion(projectRoot, MODULE) ?? 'unknown',
    electronVersion: target.version,
    abi: target.abi,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Is the build in `dir` the one this checkout needs? */
export function inspectElectronBuild(
  projectRoot: string,
  target: ElectronTarget,
  dir = electronBuildDir(projectRoot, target.abi),
): ElectronBuildState {
  const addon = readAddonAbiFile(pcscliteAddonIn(join(dir, 'node_modules', MODULE)));
  let stampText: string | undefined;
  try {
    stampText = readFileSync(join(dir, BUILD_STAMP_FILE), 'utf8');
  } catch {
    stampText = undefined;
  }
  return electronBuildState({ addon: addon === 'missing' ? undefined : addon, stampText }, wantedBuild(projectRoot, target));
}

/** node-gyp's command line for an Electron build (the flags @electron/rebuild passes, minus those node-gyp 12 ignores). */
export function nodeGypArgs(target: ElectronTarget, options: { distUrl: string; devDir: string; arch: string }): string[] {
  return ['rebuild', `--target=${target.version}`, `--arch=${options.arch}`, `--dist-url=${options.distUrl}`, `--devdir=${options.devDir}`];
}

/**
 * The environment node-gyp runs in. Under `npm run`, npm exports its config as npm_config_*:
 * npm_config_nodedir (set in many .npmrc files for offline Node builds) makes node-gyp compile
 * against Node's headers while --target names Electron — it then "succeeds" with Node's ABI.
 * Those that choose headers or the target are removed; the command line says them.
 */
export function nodeGypEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const steering = /^npm_config_(nodedir|target|target_arch|disturl|dist_url|runtime|devdir|arch|build_from_source|tarball)$/i;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !steering.test(name)));
}

/** Where node-gyp will fetch the headers of `version` from `distUrl` (node-gyp's naming for a --target release). */
export function headersTarballUrl(distUrl: string, version: string): string {
  return `${distUrl.replace(/\/+$/, '')}/v${version}/node-v${version}-headers.tar.gz`;
}

/** node-gyp's failure, in a sentence; `output` is the tail of what it printed. */
export function explainNodeGypFailure(output: string, exitCode: number | null): string {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network connectivity|response downloading/.test(output)) {
    return "Electron's headers could not be downloaded (offline?).";
  }
  if (/PCSC\/winscard\.h|winscard\.h: No such file/.test(output))
    return 'the pcsc-lite headers are missing: install libpcsclite-dev (Debian/Ubuntu) or pcsc-lite-devel.';
  if (
    /not found: (make|g\+\+|c\+\+|cc)|make: not found|g\+\+: (command )?not found|No Xcode or CLT|find any Visual Studio|MSBuild/i.test(
      output,
    )
  ) {
    return 'no C++ toolchain found: install build-essential (Debian/Ubuntu), the Xcode command line tools (macOS) or Visual Studio Build Tools (Windows).';
  }
  const lastLines = output.trimEnd().split('\n').slice(-12).join('\n');
  return `node-gyp failed (exit ${exitCode ?? 'by signal'}); its last lines:\n${lastLines}`;
}

export function resolveNodeGyp(projectRoot: string): string | undefined {
  const fromProject = createRequire(join(projectRoot, 'package.json'));
  const candidates: (() => string)[] = [
    () => fromProject.resolve('node-gyp/bin/node-gyp.js'),
    // Not hoisted: the copy @electron/rebuild (electron-builder's dependency) uses.
    () => createRequire(fromProject.resolve('@electron/rebuild/package.json')).resolve('node-gyp/bin/node-gyp.js'),
  ];
  for (const candidate of candidates) {
    try {
      return candidate();
    } catch {
      // next
    }
  }
  return undefined;
}

export async function buildElectronPcsclite(request: ElectronBuildRequest): Promise<ElectronBuildResult> {
  const { projectRoot, target, progress } = request;
  const env = request.env ?? process.env;
  const distUrl = request.distUrl ?? (env.ELECTRON_REBUILD_DIST_URL || ELECTRON_HEADERS_URL);
  const devDir = request.devDir ?? ELECTRON_GYP_DIR;
  const dir = buildDirOf(request);
  const failed = (why: string): ElectronBuildResult => ({
    ok: false,
    reason: `Cannot build pcsclite for Electron ${target.version}: ${why}`,
  });

  const nodeGyp = resolveNodeGyp(projectRoot);
  if (!nodeGyp) return failed('node-gyp is not installed (it comes with electron-builder): run `npm ci`.');

  if (!existsSync(join(devDir, target.version, 'installVersion')) && !proxyConfigured(env)) {
    const url = headersTarballUrl(distUrl, target.version);
    progress(`  fetching Electron ${target.version}'s headers from ${url}`);
    const probe = await probeUrl(url, request.probeTimeoutMs ?? PROBE_TIMEOUT_MS, request.signal);
    if (request.signal?.aborted) return { ok: false, reason: 'Stopped.', stopped: true };
    if (!probe.reachable) return failed(`its headers could not be fetched from ${url}: ${probe.why}.`);
    if (probe.status >= 400) return failed(`${url} answered ${probe.status}: no headers for this Electron version there.`);
  }

  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    mkdirSync(partial, { recursive: true });
    stagePackage(projectRoot, MODULE, join(partial, 'node_modules'));
    const packageDir = join(partial, 'node_modules', MODULE);
    progress(`  compiling pcsclite with node-gyp (--target=${target.version})`);
    const run = await runNodeGyp(nodeGyp, nodeGypArgs(target, { distUrl, devDir, arch: process.arch }), {
      cwd: packageDir,
      env: nodeGypEnv(env),
      timeoutMs: request.timeoutMs ?? BUILD_TIMEOUT_MS,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    if (run.ended === 'stopped') return { ok: false, reason: 'Stopped.', stopped: true };
    if (run.ended === 'timeout')
      return failed(
        `node-gyp did not finish within ${Math.round((request.timeoutMs ?? BUILD_TIMEOUT_MS) / 1000)} s (a stalled download?).`,
      );
    if (run.exitCode !== 0) return failed(explainNodeGypFailure(run.output, run.exitCode));

    const addonPath = pcscliteAddonIn(packageDir);
    const addon = readAddonAbiFile(addonPath);
    if (addon === 'missing') return failed(`node-gyp reported success but ${relative(partial, addonPath)} is not there.`);
    if (addonFitsRuntime(addon, target.abi).verdict !== 'fits') {
      const built = addon.kind === 'node-abi' ? `NODE_MODULE_VERSION ${addon.abi}` : 'an ABI that cannot be read';
      return failed(
        `node-gyp built it for ${built}, not Electron ${target.version}'s ${target.abi} ` +
          '(does an npm_config_* setting or a node-gyp option point it at Node’s headers?).',
      );
    }
    writeFileSync(
      join(partial, BUILD_STAMP_FILE),
      formatBuildStamp({ ...wantedBuild(projectRoot, target), builtAt: new Date().toISOString() }),
    );
    // The finished build replaces the old one in one rename: a build stopped half-way never leaves a folder that looks usable.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(partial, dir);
    return { ok: true, dir, addonPath: pcscliteAddonIn(join(dir, 'node_modules', MODULE)) };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

interface NodeGypRun {
  ended: 'exited' | 'stopped' | 'timeout';
  exitCode: number | null;
  output: string;
}

function runNodeGyp(
  nodeGyp: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal },
): Promise<NodeGypRun> {
  return new Promise((resolve) => {
    // Its own process group, so stopping it also stops the make and compilers it started.
    const detached = process.platform !== 'win32';
    const child = spawn(process.execPath, [nodeGyp, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let ended: NodeGypRun['ended'] = 'exited';
    const stop = (why: NodeGypRun['ended']): void => {
      ended = why;
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = (): void => stop('stopped');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.on('error', (error) => keep(Buffer.from(`\n${error.message}\n`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ended, exitCode: code, output });
    });
  });
}

export type EnsureResult = { state: 'ready' | 'built'; dir: string } | { state: 'failed'; reason: string; stopped?: boolean };

/** Builds only when the build is missing or stale, saying so on one progress line first. */
export async function ensureElectronPcsclite(request: ElectronBuildRequest & { force?: boolean }): Promise<EnsureResult> {
  const dir = buildDirOf(request);
  const state = request.force
    ? { state: 'stale' as const, why: 'a rebuild was asked for' }
    : inspectElectronBuild(request.projectRoot, request.target, dir);
  if (state.state === 'ready') return { state: 'ready', dir };
  const where = relative(request.projectRoot, dir) || dir;
  request.progress(
    `Building pcsclite for Electron ${request.target.version} (NODE_MODULE_VERSION ${request.target.abi}) into ${where}: ${state.why}. ` +
      'Needed once; it takes a few seconds.',
  );
  const built = await buildElectronPcsclite(request);
  if (!built.ok) return { state: 'failed', reason: built.reason, ...(built.stopped ? { stopped: true } : {}) };
  request.progress(
    `  done: ${relative(request.projectRoot, built.addonPath) || built.addonPath} registers for NODE_MODULE_VERSION ${request.target.abi}.`,
  );
  return { state: 'built', dir: built.dir };
}
