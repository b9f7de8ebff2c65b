/**
 * What `npm run package` needs before electron-builder may start, checked in seconds:
 *  - Electron itself for the target platform: a dist on disk (ELECTRON_OVERRIDE_DIST_PATH, the
 *    one `npx install-electron` put in node_modules/electron/dist, or a zip @electron/get cached)
 *    is handed to electron-builder as electronDist, so nothing is downloaded; without one,
 *    electron-builder downloads it, which needs the network;
 *  - Electron's headers, to rebuild pcsclite for the packaged app (electron-builder's npmRebuild,
 *    @electron/rebuild): cached in ~/.electron-gyp by `npm run rebuild:electron`, or downloaded;
 *  - a Node that electron-builder's Electron tools support (≥ 22.12).
 * The decision is a pure function of the facts; gathering them probes the network only for a
 * download that is actually needed, with a short timeout.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ElectronTarget } from './electron-target.js';
import { compareNodeVersions, DESKTOP_NODE_MINIMUM } from './node-requirements.js';
import { ELECTRON_HEADERS_URL, headersTarballUrl } from './pcsclite-electron-build.js';
import { probeUrl, proxyConfigured, type UrlProbe } from './url-probe.js';

/** An unpacked Electron found on disk. */
export interface DistOnDisk {
  /** Where it came from, as the user would name it. */
  source: 'ELECTRON_OVERRIDE_DIST_PATH' | 'node_modules/electron/dist' | 'the @electron/get cache';
  path: string;
  /** Its executable (or, for a zip, the zip) is there. */
  complete: boolean;
  /** The `version` file of an unpacked dist; the zip's name for a cached zip. */
  version: string | undefined;
}

/** The result of asking whether a download could start; 'proxy' when a proxy is configured (then it is left to the tool). */
export type DownloadReach = UrlProbe | 'proxy';

export interface PackagingFacts {
  nodeVersion: string;
  target: ElectronTarget;
  platform: string;
  arch: string;
  /** In the order they are preferred. */
  dists: DistOnDisk[];
  headersCached: boolean;
  headersDir: string;
  /** Asked only when no complete dist is on disk / no headers are cached. */
  electronDownload?: { url: string; reach: DownloadReach };
  headersDownload?: { url: string; reach: DownloadReach };
}

export type PackagingPlan =
  { ok: true; electronDist: string | undefined; notes: string[] } | { ok: false; notes: string[]; problems: string[] };

export function packagingPlan(facts: PackagingFacts): PackagingPlan {
  const { target } = facts;
  const notes: string[] = [];
  const problems: string[] = [];
  const wanted = `Electron ${target.version} for ${facts.platform}-${facts.arch}`;

  if (compareNodeVersions(facts.nodeVersion, DESKTOP_NODE_MINIMUM) < 0) {
    problems.push(
      `Packaging runs Electron's own tools (electron-builder's @electron/rebuild and @electron/get), which need Node ≥ 22.12; this is Node ${facts.nodeVersion.replace(/^v/, '')}.`,
    );
  }

  let electronDist: string | undefined;
  const override = facts.dists.find((dist) => dist.source === 'ELECTRON_OVERRIDE_DIST_PATH');
  if (override && !override.complete) {
    problems.push(`ELECTRON_OVERRIDE_DIST_PATH is set but ${override.path} holds no Electron executable.`);
  } else {
    const usable = facts.dists.find((dist) => dist.complete && (dist.version === undefined || dist.version === target.version));
    const otherVersion = facts.dists.find((dist) => dist.complete && dist.version !== undefined && dist.version !== target.version);
    if (usable) {
      electronDist = usable.path;
      notes.push(`Electron: ${usable.path} (${usable.source}), given to electron-builder as electronDist; nothing is downloaded.`);
    } else if (otherVersion && otherVersion.source === 'ELECTRON_OVERRIDE_DIST_PATH') {
      problems.push(
        `ELECTRON_OVERRIDE_DIST_PATH holds Electron ${otherVersion.version}, but the app is built for ${target.version} (node_modules/electron).`,
      );
    } else {
      const reach = facts.electronDownload?.reach;
      if (reach === 'proxy') notes.push(`Electron: none on disk; electron-builder will download ${wanted} through the configured proxy.`);
      else if (reach?.reachable)
        notes.push(`Electron: none on disk; electron-builder will download ${wanted} from ${facts.electronDownload!.url}.`);
      else {
        const why = reach ? ` (${facts.electronDownload!.url}: ${reach.why})` : '';
        problems.push(
          `Packaging needs ${wanted} and none is on disk, and it cannot be downloaded${why}: run \`npx install-electron\` once online, ` +
            `or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron ${target.version} (the folder holding its executable), or package online.`,
        );
      }
    }
  }

  if (facts.headersCached) {
    notes.push(`Headers for rebuilding pcsclite: cached in ${facts.headersDir}.`);
  } else {
    const reach = facts.headersDownload?.reach;
    if (reach === 'proxy' || reach?.reachable)
      notes.push(`Headers for rebuilding pcsclite: downloaded by electron-builder into ${facts.headersDir}.`);
    else {
      const why = reach ? ` (${facts.headersDownload!.url}: ${reach.why})` : '';
      problems.push(
        `Packaging rebuilds pcsclite for Electron ${target.version} and needs its headers, which are not cached and cannot be downloaded${why}: ` +
          'run `npm run rebuild:electron` once online (it caches them in ~/.electron-gyp), or package online.',
      );
    }
  }

  return problems.length === 0 ? { ok: true, electronDist, notes } : { ok: false, notes, problems };
}

/** What electron-builder's Electron download (@electron/get) fetches, honouring ELECTRON_MIRROR as it does. */
export function electronZipUrl(target: ElectronTarget, platform: string, arch: string, env: NodeJS.ProcessEnv): string {
  const mirror = env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/';
  return `${mirror.endsWith('/') ? mirror : `${mirror}/`}v${target.version}/${electronZipName(target, platform, arch)}`;
}

export function electronZipName(target: ElectronTarget, platform: string, arch: string): string {
  return `electron-v${target.version}-${platform}-${arch}.zip`;
}

const EXECUTABLE: Record<string, string> = { darwin: 'Electron.app', win32: 'electron.exe' };

export interface FactOptions {
  projectRoot: string;
  target: ElectronTarget;
  env: NodeJS.ProcessEnv;
  nodeVersion?: string;
  platform?: string;
  arch?: string;
  home?: string;
}

export async function gatherPackagingFacts(options: FactOptions): Promise<PackagingFacts> {
  const { target, env } = options;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const home = options.home ?? homedir();
  const executable = EXECUTABLE[platform] ?? 'electron';
  const unpacked = (source: DistOnDisk['source'], path: string): DistOnDisk => ({
    source,
    path,
    complete: existsSync(join(path, executable)),
    version: readTrimmed(join(path, 'version')),
  });
  const dists: DistOnDisk[] = [];
  if (env.ELECTRON_OVERRIDE_DIST_PATH) dists.push(unpacked('ELECTRON_OVERRIDE_DIST_PATH', env.ELECTRON_OVERRIDE_DIST_PATH));
  else {
    const installed = join(options.projectRoot, 'node_modules', 'electron', 'dist');
    if (existsSync(installed)) dists.push(unpacked('node_modules/electron/dist', installed));
    const zip = cachedElectronZip(electronGetCacheRoot(platform, env, home), electronZipName(target, platform, arch));
    if (zip) dists.push({ source: 'the @electron/get cache', path: zip, complete: true, version: target.version });
  }

  // Where @electron/rebuild keeps headers (os.homedir(), which follows HOME).
  const headersDir = join(home, '.electron-gyp');
  const headersCached = existsSync(join(headersDir, target.version, 'installVersion'));
  const facts: PackagingFacts = {
    nodeVersion: options.nodeVersion ?? process.version,
    target,
    platform,
    arch,
    dists,
    headersCached,
    headersDir,
  };
  const reach = (url: string): Promise<DownloadReach> => (proxyConfigured(env) ? Promise.resolve('proxy') : probeUrl(url));
  const needElectron = !dists.some((dist) => dist.complete);
  const electronUrl = electronZipUrl(target, platform, arch, env);
  const headersUrl = headersTarballUrl(env.ELECTRON_REBUILD_DIST_URL || ELECTRON_HEADERS_URL, target.version);
  const [electronReach, headersReach] = await Promise.all([
    needElectron && !env.ELECTRON_OVERRIDE_DIST_PATH ? reach(electronUrl) : undefined,
    headersCached ? undefined : reach(headersUrl),
  ]);
  if (electronReach) facts.electronDownload = { url: electronUrl, reach: electronReach };
  if (headersReach) facts.headersDownload = { url: headersUrl, reach: headersReach };
  return facts;
}

/** @electron/get's cache root (what electron-builder downloads into), as it computes it. */
function electronGetCacheRoot(platform: string, env: NodeJS.ProcessEnv, home: string): string {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'electron');
}

/** @electron/get keeps each download in a folder named after a hash of its URL: look one level down. */
function cachedElectronZip(cacheRoot: string, zipName: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(cacheRoot);
  } catch {
    return undefined;
  }
  for (const entry of [...entries, '.']) {
    const candidate = join(cacheRoot, entry, zipName);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim().replace(/^v/, '') || undefined;
  } catch {
    return undefined;
  }
}
