/**
 * Is the Electron build of pcsclite in out/native/electron-<abi>/ the one this checkout needs?
 * Two witnesses: the ABI the addon itself registers for (read from the file), and a stamp the
 * build wrote beside it (Electron version, pcsclite version, platform, arch). Either one says
 * when the build is stale; together they also cover an addon whose ABI cannot be read.
 */
import { addonFitsRuntime, type AddonAbi } from './addon-abi.js';

export const BUILD_STAMP_FILE = 'build-stamp.json';

export interface BuildStamp {
  module: string;
  moduleVersion: string;
  electronVersion: string;
  abi: number;
  platform: string;
  arch: string;
  /** ISO time, for people reading the folder. */
  builtAt: string;
}

/** What the checkout needs now: from node_modules/electron, node_modules/pcsclite and the host. */
export interface ElectronBuildWanted {
  module: string;
  moduleVersion: string;
  electronVersion: string;
  abi: number;
  platform: string;
  arch: string;
}

export type ElectronBuildState = { state: 'ready' } | { state: 'missing'; why: string } | { state: 'stale'; why: string };

export function formatBuildStamp(stamp: BuildStamp): string {
  return `${JSON.stringify(stamp, null, 2)}\n`;
}

/** undefined for anything that is not a stamp this code wrote (hand-edited, truncated, another tool's). */
export function parseBuildStamp(text: string): BuildStamp | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const strings = ['module', 'moduleVersion', 'electronVersion', 'platform', 'arch', 'builtAt'] as const;
  if (!strings.every((key) => typeof record[key] === 'string')) return undefined;
  if (typeof record.abi !== 'number' || !Number.isInteger(record.abi)) return undefined;
  const { module, moduleVersion, electronVersion, platform, arch, builtAt, abi } = record as unknown as BuildStamp;
  return { module, moduleVersion, electronVersion, abi, platform, arch, builtAt };
}

/**
 * `addon`: the addon's ABI as read from the file, undefined when there is no file.
 * `stampText`: the stamp file's text, undefined when there is none.
 */
export function electronBuildState(
  found: { addon: AddonAbi | undefined; stampText: string | undefined },
  wanted: ElectronBuildWanted,
): ElectronBuildState {
  if (!found.addon) return { state: 'missing', why: `no build of ${wanted.module} for Electron ${wanted.electronVersion} yet` };
  const verdict = addonFitsRuntime(found.addon, wanted.abi);
  if (verdict.verdict === 'mismatch') return { state: 'stale', why: `the build there is ${verdict.why}` };
  const stamp = found.stampText === undefined ? undefined : parseBuildStamp(found.stampText);
  if (!stamp) return { state: 'stale', why: found.stampText === undefined ? 'the build has no stamp' : 'the build stamp is unreadable' };
  if (stamp.module !== wanted.module) return { state: 'stale', why: `the build there is of ${stamp.module}` };
  if (stamp.abi !== wanted.abi)
    return { state: 'stale', why: `the build was made for NODE_MODULE_VERSION ${stamp.abi}, not ${wanted.abi}` };
  if (stamp.moduleVersion !== wanted.moduleVersion) {
    return { state: 'stale', why: `${wanted.module} changed from ${stamp.moduleVersion} to ${wanted.moduleVersion}` };
  }
  if (stamp.platform !== wanted.platform || stamp.arch !== wanted.arch) {
    return { state: 'stale', why: `the build is for ${stamp.platform}-${stamp.arch}, this is ${wanted.platform}-${wanted.arch}` };
  }
  // A patch release of Electron keeps its ABI (same folder): the build still loads, so it is kept.
  return { state: 'ready' };
}
